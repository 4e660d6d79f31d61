import { Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Topic } from '../functions/core/policy/types';
import type { ChatConfig } from './config';

export interface ChatChannelsProps {
  readonly channels: ChatConfig;
  /** The notification topics by name; each channel subscribes to the ones it lists. */
  readonly topics: Readonly<Record<Topic, sns.ITopic>>;
  /**
   * The own topic of each channel with a filterPolicy (lib/chat-relay.ts), by channel name: such a channel
   * subscribes to it instead of its source topics. @default - none
   */
  readonly channelTopics?: ReadonlyMap<string, sns.ITopic>;
}

/**
 * AWS Chatbot (Amazon Q Developer in chat applications) channel configurations for the Slack and Teams
 * channels of config `chat` (docs/design.md, "Notifications"). Chatbot subscribes to the topics over https
 * and receives the custom-notification rendering. Its channel role and guardrail allow reading CloudWatch
 * alarms and metrics only, so nobody in a channel can change anything in the account through Chatbot.
 * A channel with a filterPolicy subscribes to its own topic instead, fed by the chat relay.
 */
export class ChatChannels extends Construct {
  public readonly role: iam.Role;
  public readonly guardrail: iam.ManagedPolicy;
  public readonly slack: chatbot.SlackChannelConfiguration[] = [];
  public readonly teams: chatbot.CfnMicrosoftTeamsChannelConfiguration[] = [];

  constructor(scope: Construct, id: string, props: ChatChannelsProps) {
    super(scope, id);
    this.guardrail = new iam.ManagedPolicy(this, 'Guardrail', {
      description: 'fireworks-error-triage chat channels: read CloudWatch alarms and metrics, nothing else',
      statements: [
        new iam.PolicyStatement({
          actions: [
            'cloudwatch:DescribeAlarms',
            'cloudwatch:GetMetricData',
            'cloudwatch:GetMetricWidgetImage',
          ],
          // None of these three actions takes a resource narrower than "*".
          resources: ['*'],
        }),
      ],
    });
    Validations.of(this.guardrail).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:DescribeAlarms, GetMetricData and GetMetricWidgetImage are the only actions and take no narrower resource; read-only.',
    });
    this.role = new iam.Role(this, 'ChannelRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'fireworks-error-triage chat channels (read-only)',
      managedPolicies: [this.guardrail],
    });
    const topicsOf = (channel: { readonly name: string; readonly topics: readonly Topic[] }) => {
      const own = props.channelTopics?.get(channel.name);
      return own ? [own] : channel.topics.map((name) => props.topics[name]);
    };

    for (const channel of props.channels.slack) {
      this.slack.push(
        new chatbot.SlackChannelConfiguration(this, `Slack-${channel.name}`, {
          slackChannelConfigurationName: channel.name,
          slackWorkspaceId: channel.slackWorkspaceId,
          slackChannelId: channel.slackChannelId,
          notificationTopics: topicsOf(channel),
          role: this.role,
          guardrailPolicies: [this.guardrail],
          loggingLevel: chatbot.LoggingLevel.ERROR,
        }),
      );
    }
    // aws-cdk-lib has no L2 for Teams yet: the CloudFormation resource, with the same role and guardrail.
    for (const channel of props.channels.teams) {
      this.teams.push(
        new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, `Teams-${channel.name}`, {
          configurationName: channel.name,
          teamId: channel.teamId,
          teamsChannelId: channel.teamsChannelId,
          teamsTenantId: channel.teamsTenantId,
          iamRoleArn: this.role.roleArn,
          guardrailPolicies: [this.guardrail.managedPolicyArn],
          snsTopicArns: topicsOf(channel).map((topic) => topic.topicArn),
          loggingLevel: 'ERROR',
        }),
      );
    }
  }
}
