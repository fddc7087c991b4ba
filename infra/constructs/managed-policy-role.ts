import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * An IAM role whose permissions live in one customer-managed policy instead of an inline default
 * policy (NIST 800-53 AC-6 / cdk-nag `IAMNoInlinePolicy`). Every grant CDK makes on the role's
 * behalf (event sources, dead-letter queues, schedule targets, our own grants) lands in that policy,
 * so the role has no inline policies and attaches no AWS-managed ones.
 */
export class ManagedPolicyRole extends iam.Role {
  readonly permissions: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
    this.permissions = new iam.ManagedPolicy(this, 'Permissions', {
      description: `Permissions of ${this.node.path}`,
      roles: [this],
    });
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.permissions.addStatements(statement);
    return { statementAdded: true, policyDependable: this.permissions };
  }
}
