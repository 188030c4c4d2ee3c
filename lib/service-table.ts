import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { IndexDefinition, KeyAttribute, TableDefinition } from '../functions/shared/tables';

const attribute = ({ name, type }: KeyAttribute): dynamodb.Attribute => ({
  name,
  type: type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING,
});

/** Indexes project only their keys unless the definition lists more attributes. */
const projection = (index: IndexDefinition) =>
  index.projectedAttributes?.length
    ? { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projectedAttributes] }
    : { projectionType: dynamodb.ProjectionType.KEYS_ONLY };

/**
 * One service table, built from its entry in functions/shared/tables.ts. The name is generated
 * so stages can share an account; the data outlives the stack (retained, deletion-protected,
 * point-in-time recovery on).
 */
export class ServiceTable extends dynamodb.Table {
  readonly definition: TableDefinition;

  constructor(scope: Construct, id: string, definition: TableDefinition) {
    super(scope, id, {
      partitionKey: attribute(definition.partitionKey),
      sortKey: definition.sortKey ? attribute(definition.sortKey) : undefined,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: definition.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS managed key (aws/dynamodb): free, needs no key policy, and key use shows in CloudTrail (Control Tower's CT.DYNAMODB.PR.2).
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(definition.stream ? { stream: dynamodb.StreamViewType[definition.stream] } : {}),
    });
    this.definition = definition;
    for (const index of definition.indexes) {
      this.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
        ...projection(index),
      });
    }
  }
}
