// The walkthrough's new feature view (README: "Walkthrough: add a feature view").
// Paste it into feature_store/feature_store.ts above `purchaseModelFeatures`, then add
// `customerActivityFeatures` to that service's `features`.

export const customerActivitySource = fileSource({
  path: 'data/customer_activity_features.parquet',
  timestampField: 'event_timestamp',
  createdTimestampColumn: 'created_timestamp',
});

export const customerActivityFeatures = featureView({
  name: 'customer_activity_features',
  entities: [customer],
  schema: {
    orders_7d: 'int64',
    orders_30d: 'int64',
    orders_60d: 'int64',
    months_active_365d: 'int64',
  },
  source: customerActivitySource,
  ttl: 0,
  transformation: 'sql/features/customer_activity_features.sql',
  description: 'Invoices over the last 7, 30 and 60 days; months with a purchase in a year',
});
