import type { ColumnType, Generated } from 'kysely';
import type { Tags } from '../definitions/types.js';

/** Timestamps travel as `YYYY-MM-DD HH:MM:SS[.ffffff]` text (naive UTC), never as `Date`. */
type Timestamp = ColumnType<string, string | undefined, string>;
/** int8 comes back as a string from `pg` and a number from PGlite: normalize with Number(). */
type Int8 = ColumnType<string | number, number | string, number | string>;
type Json<T> = ColumnType<T | null, string | null, string | null>;

/** The registry's tables, as kysely sees them (see migrations/). */
export interface RegistryDatabase {
  projects: {
    id: Generated<number>;
    name: string;
    created_at: Generated<string>;
    updated_at: Timestamp;
  };
  entities: {
    id: Generated<number>;
    project_id: number;
    name: string;
    join_keys: string[];
    value_type: string;
    description: string | null;
    owner: string | null;
    tags: Json<Tags>;
    updated_at: Timestamp;
  };
  data_sources: {
    id: Generated<number>;
    project_id: number;
    name: string;
    path: string;
    format: string;
    timestamp_field: string;
    created_timestamp_column: string | null;
    field_mapping: Json<Record<string, string>>;
    description: string | null;
    updated_at: Timestamp;
  };
  sql_versions: {
    id: Generated<number>;
    project_id: number;
    path: string;
    sha256: string;
    text: string;
    created_at: Timestamp;
  };
  feature_views: {
    id: Generated<number>;
    project_id: number;
    name: string;
    data_source_id: number;
    ttl_seconds: Int8;
    transformation: string | null;
    sql_version_id: number | null;
    description: string | null;
    owner: string | null;
    tags: Json<Tags>;
    updated_at: Timestamp;
  };
  feature_view_entities: { feature_view_id: number; entity_id: number; position: number };
  features: {
    id: Generated<number>;
    feature_view_id: number;
    name: string;
    type: string;
    position: number;
  };
  feature_services: {
    id: Generated<number>;
    project_id: number;
    name: string;
    description: string | null;
    owner: string | null;
    tags: Json<Tags>;
    updated_at: Timestamp;
  };
  feature_service_refs: {
    feature_service_id: number;
    position: number;
    /** Exactly one of `feature_view_id` and `on_demand_view_id` is set. */
    feature_view_id: number | null;
    on_demand_view_id: number | null;
    feature_name: string | null;
  };
  materializations: {
    id: Generated<number>;
    project_id: number;
    view_name: string;
    cutoff: string;
    rows: Int8;
    sql_sha256: string;
    input_fingerprint: string;
    started_at: string;
    finished_at: string;
    duration_ms: number;
    recorded_at: Timestamp;
  };
  online_materializations: {
    id: Generated<number>;
    project_id: number;
    view_name: string;
    store: string;
    start_ts: string | null;
    end_ts: string;
    rows: Int8;
    started_at: string;
    finished_at: string;
    duration_ms: number;
    recorded_at: Timestamp;
  };
  on_demand_feature_views: {
    id: Generated<number>;
    project_id: number;
    name: string;
    description: string | null;
    owner: string | null;
    tags: Json<Tags>;
    updated_at: Timestamp;
  };
  on_demand_view_sources: { on_demand_view_id: number; position: number; feature_view_id: number };
  on_demand_request_columns: {
    on_demand_view_id: number;
    position: number;
    name: string;
    type: string;
  };
  on_demand_features: {
    on_demand_view_id: number;
    position: number;
    name: string;
    type: string;
    expression: string;
  };
}
