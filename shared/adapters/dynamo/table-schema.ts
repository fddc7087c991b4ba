/**
 * Bursar keeps everything in one DynamoDB table. The key schema below is the single source of truth
 * for the CDK stack (infra/), the local store bootstrap and the tests.
 *
 *   pk                     sk                         item
 *   ENV#<fy>#<measure>     ENV                        budget envelope (figures, alert state, version)
 *   ENV#<fy>#<measure>     AUDIT#<iso-ts>#<id>        budget change audit entry
 *   ENV#<fy>#<measure>     Q#<approved>#<award_id>    waitlist entry (strongly consistent queue)
 *   AWARD#<award_id>       AWARD                      award (record, status, reason, trace)
 *   SCHEME#<scheme_id>     SCHEME                     special scheme (专项政策方案)
 *   INTAKE#<submission>    LINE#<line>                an intake record that could not become an award
 *   RUN#<run_id>           RUN | ITEM#<award_id> | SERIES#<series>   disbursement run (see run-items.ts)
 *   PAID#<fy>              <YYYY-MM>#<measure>        money paid per month from a fiscal year's envelope
 *   RUNREQ#<request_id>    RUNREQ                     a handled run request (idempotency)
 *
 * GSI1 lists awards by status and envelope, oldest approved first:
 *   gsi1pk = AWST#<status>#<fy>#<measure>, gsi1sk = <approved_date>#<award_id>
 * GSI2 is a second generic index (gsi2pk/gsi2sk) for runs, alerts and reports.
 */
export const KEY = { pk: 'pk', sk: 'sk' } as const;
export const GSI1 = { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk' } as const;
export const GSI2 = { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk' } as const;

/** Attribute definitions and key schema in the shape CreateTable takes; CDK mirrors these names. */
export const tableDefinition = {
  AttributeDefinitions: [
    { AttributeName: KEY.pk, AttributeType: 'S' },
    { AttributeName: KEY.sk, AttributeType: 'S' },
    { AttributeName: GSI1.pk, AttributeType: 'S' },
    { AttributeName: GSI1.sk, AttributeType: 'S' },
    { AttributeName: GSI2.pk, AttributeType: 'S' },
    { AttributeName: GSI2.sk, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: KEY.pk, KeyType: 'HASH' },
    { AttributeName: KEY.sk, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [GSI1, GSI2].map((g) => ({
    IndexName: g.name,
    KeySchema: [
      { AttributeName: g.pk, KeyType: 'HASH' },
      { AttributeName: g.sk, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  })),
  BillingMode: 'PAY_PER_REQUEST',
} as const;
