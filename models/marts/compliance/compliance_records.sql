{{ config(materialized='incremental', unique_key=['source_kind', 'force_code', 'source_key']) }}

{#- Record-level drill-down behind marts.pledge_compliance: one row per (standard_id, record_id),
    no personal data ("which 999 calls missed 10 s in Hackney last March?"). -#}

with

{%- if is_incremental() %}

changed as (

    {{ changed_source_keys(ref('stg_telephony__calls'), 'call_id', 'calls') }}

    union

    {{ changed_source_keys(ref('stg_cad__incidents'), 'incident_id', 'incidents') }}

    union

    {{ changed_source_keys(ref('stg_customer_service__feedback_items'), 'feedback_id', 'feedback') }}

    union

    {{ changed_source_keys(ref('stg_crime_records__victim_contacts'), 'crime_reference', 'victim_contacts') }}

),
{%- endif %}

records as (

    select * from {{ ref('int_compliance_records_unioned') }}
    {%- if is_incremental() %}
    where (source_kind, force_code, source_key) in (select (source_kind, force_code, source_key) from changed)
    {%- endif %}

),

described as (

    select
        standard_id,
        force_code,
        borough_code,
        period_month,
        record_id,
        source_kind,
        source_key,
        load_id,
        started_at,
        {{ london_local('started_at') }} as started_at_london,
        deadline_at,
        event_at,
        elapsed_seconds,
        threshold_seconds,
        outcome,
        call_type,
        grade,
        area_type,
        incident_type,
        feedback_type,
        category,
        channel,
        crime_type,
        cast(hour({{ london_local('started_at') }}) as integer) as hour_of_day,
        dayname({{ london_local('started_at') }}) as weekday,
        cast(isodow({{ london_local('started_at') }}) as integer) as weekday_number

    from records

),

final as (

    {{ rows_of_changed_keys('changed', 'described', ['source_kind', 'force_code', 'source_key']) }}

)

select * from final

-- the staging tables are read (for their load_id) only by incremental builds:
-- depends_on: {{ ref('stg_telephony__calls') }}
-- depends_on: {{ ref('stg_cad__incidents') }}
-- depends_on: {{ ref('stg_customer_service__feedback_items') }}
-- depends_on: {{ ref('stg_crime_records__victim_contacts') }}
