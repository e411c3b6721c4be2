{{ config(severity='warn') }}
-- After an incremental build only the rows of new loads of the incremental staging tables
-- (loads_to_test, docs/incremental.md); every row after a full build.
-- Row-level plausibility of every instant and date in the staging layer, on every row (tens of
-- millions at national scale: this belongs in the warehouse, not in pandas): nothing before
-- var earliest_plausible_date (the bound the loader refuses by, dbt_project.yml) and nothing in
-- the future (after the build, plus var date_after_load_days for clock skew).
-- Severity warn: the dbt build reports the offending rows; the gate is the Great Expectations
-- check (quality/suites/raw_*.yml, critical), which counts them per load against the time the
-- file was loaded (docs/data-quality.md).
with

instants as (

    select 'stg_telephony__calls' as model, call_id as record_id, 'received_at' as column_name,
        received_at as instant
    from {{ ref('stg_telephony__calls') }}
    where {{ loads_to_test() }}
    union all
    select 'stg_telephony__calls', call_id, 'answered_at', answered_at
    from {{ ref('stg_telephony__calls') }}
    where {{ loads_to_test() }}
    union all
    select 'stg_telephony__calls', call_id, 'abandoned_at', abandoned_at
    from {{ ref('stg_telephony__calls') }}
    where {{ loads_to_test() }}
    union all
    select 'stg_cad__incidents', incident_id, 'created_at', created_at
    from {{ ref('stg_cad__incidents') }}
    where {{ loads_to_test() }}
    union all
    select 'stg_cad__incidents', incident_id, 'first_arrival_at', first_arrival_at
    from {{ ref('stg_cad__incidents') }}
    where {{ loads_to_test() }}
    union all
    select 'stg_cad__incidents', incident_id, 'closed_at', closed_at
    from {{ ref('stg_cad__incidents') }}
    where {{ loads_to_test() }}
    union all
    select 'stg_customer_service__feedback_items', feedback_id, 'received_at', received_at
    from {{ ref('stg_customer_service__feedback_items') }}
    union all
    select 'stg_customer_service__feedback_items', feedback_id, 'acknowledged_at', acknowledged_at
    from {{ ref('stg_customer_service__feedback_items') }}
    union all
    select 'stg_customer_service__feedback_items', feedback_id, 'responded_at', responded_at
    from {{ ref('stg_customer_service__feedback_items') }}
    union all
    select 'stg_customer_service__feedback_items', feedback_id, 'resolved_at', resolved_at
    from {{ ref('stg_customer_service__feedback_items') }}
    union all
    select 'stg_crime_records__victim_contacts', contact_id, 'contact_at', contact_at
    from {{ ref('stg_crime_records__victim_contacts') }}
    where {{ loads_to_test() }}
    union all
    select 'stg_user_survey__survey_responses', response_id, 'interview_date',
        cast(interview_date as timestamptz)
    from {{ ref('stg_user_survey__survey_responses') }}
    union all
    select 'stg_user_survey__survey_responses', response_id, 'incident_date',
        cast(incident_date as timestamptz)
    from {{ ref('stg_user_survey__survey_responses') }}

)

select model, record_id, column_name, instant
from instants
where instant < timestamptz '{{ var("earliest_plausible_date") }} 00:00:00+00'
    or instant > now() + interval {{ var('date_after_load_days') }} day
