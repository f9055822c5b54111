/**
 * A second feature repository on the same retail data: will a customer buy a product again
 * within 30 days? The entity spine is customer × product, a composite key of two entities
 * (`customer_id` BIGINT, `stock_code` VARCHAR); a product-level view joins on `stock_code`
 * alone. Run it from the repository root:
 *
 *   npx zx scripts/all.mjs --project examples/repurchase --input ../shared/data/online_retail.parquet
 */
import {
  defineConfig,
  entity,
  featureService,
  featureView,
  fileSource,
  labelView,
} from 'duckfeat/definitions';

export const config = defineConfig({ project: 'repurchase' });

export const customer = entity({
  name: 'customer',
  joinKeys: ['customer_id'],
  valueType: 'int64',
  description: 'A customer of the online retailer (UCI CustomerID)',
});

export const product = entity({
  name: 'product',
  joinKeys: ['stock_code'],
  valueType: 'string',
  description: 'A product (UCI StockCode)',
});

export const customerProductFeatures = featureView({
  name: 'customer_product_features',
  entities: [customer, product],
  schema: {
    pair_orders: 'int64',
    pair_units: 'int64',
    pair_recency_days: 'int64',
    pair_tenure_days: 'int64',
  },
  source: fileSource({
    path: 'data/customer_product_features.parquet',
    timestampField: 'event_timestamp',
    createdTimestampColumn: 'created_timestamp',
  }),
  transformation: 'sql/features/customer_product_features.sql',
  description: 'Orders and units of a product by a customer, days since the last and first',
});

export const productFeatures = featureView({
  name: 'product_features',
  entities: [product],
  schema: { product_buyers: 'int64', product_repeat_share: 'float64' },
  source: fileSource({
    path: 'data/product_features.parquet',
    timestampField: 'event_timestamp',
    createdTimestampColumn: 'created_timestamp',
  }),
  transformation: 'sql/features/product_features.sql',
  description: "A product's buyers over the feature window and the share who bought it twice",
});

export const repurchaseModelFeatures = featureService({
  name: 'repurchase_model_features',
  features: [customerProductFeatures, productFeatures],
  description: 'Every feature the repurchase model is trained on',
});

export const repurchaseLabels = labelView({
  name: 'repurchase_labels',
  entities: [customer, product],
  label: 'repurchased',
  prediction: 'repurchase',
  transformation: 'sql/labels/repurchase_labels.sql',
  featureService: repurchaseModelFeatures,
  description: 'Customer × product re-purchase within 30 days',
});
