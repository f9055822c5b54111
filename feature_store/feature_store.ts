/**
 * The example feature repository: the seed's customer features for the purchase model.
 * `duckfeat plan` / `duckfeat apply` sync these objects to the registry; `prep` writes the
 * parquet files below from the SQL files named in `transformation`, and the label rows
 * `train` and `predict` use from the label view's.
 */
import {
  defineConfig,
  entity,
  featureService,
  featureView,
  fileSource,
  labelView,
} from 'duckfeat/definitions';

export const config = defineConfig({ project: 'retail' });

export const customer = entity({
  name: 'customer',
  joinKeys: ['customer_id'],
  valueType: 'int64',
  description: 'A customer of the online retailer (UCI CustomerID)',
});

export const customerRfmSource = fileSource({
  path: 'data/customer_rfm_features.parquet',
  timestampField: 'event_timestamp',
  createdTimestampColumn: 'created_timestamp',
});

export const customerBehaviorSource = fileSource({
  path: 'data/customer_behavior_features.parquet',
  timestampField: 'event_timestamp',
  createdTimestampColumn: 'created_timestamp',
});

export const customerRfmFeatures = featureView({
  name: 'customer_rfm_features',
  entities: [customer],
  schema: {
    recency_days: 'int64',
    frequency: 'int64',
    monetary: 'float64',
    tenure_days: 'int64',
  },
  source: customerRfmSource,
  ttl: 0,
  transformation: 'sql/features/customer_rfm_features.sql',
  description: 'Recency, frequency, monetary value and tenure over the 90 days before a cutoff',
});

export const customerBehaviorFeatures = featureView({
  name: 'customer_behavior_features',
  entities: [customer],
  schema: {
    avg_order_value: 'float64',
    avg_basket_size: 'float64',
    n_unique_products: 'int64',
    return_rate: 'float64',
    avg_days_between_purchases: 'float64',
  },
  source: customerBehaviorSource,
  ttl: 0,
  transformation: 'sql/features/customer_behavior_features.sql',
  description: 'Basket, assortment and return behaviour over the 90 days before a cutoff',
});

export const purchaseModelFeatures = featureService({
  name: 'purchase_model_features',
  features: [customerRfmFeatures, customerBehaviorFeatures],
  description: 'Every feature the purchase-propensity model is trained on',
});

export const purchaseLabels = labelView({
  name: 'purchase_labels',
  entities: [customer],
  label: 'purchased',
  prediction: 'purchase',
  transformation: 'sql/labels/purchase_labels.sql',
  featureService: purchaseModelFeatures,
  description: 'Purchase propensity (30 days)',
});
