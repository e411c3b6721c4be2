{{
    config(
        materialized='incremental',
        unique_key=['force_code', 'call_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{#- A table, not a view: dozens of models and tests read it, and each read of a view would
    deduplicate every raw row again. Incremental: a run reads only the loads after the highest
    load_id it holds; a restated record replaces its earlier version (docs/incremental.md). -#}

with

source as (

    select * from {{ source('telephony', 'calls') }}
    {%- if is_incremental() %}
    where _load_id > (select coalesce(max(load_id), -1) from {{ this }})
    {%- endif %}

),

latest as (

    select * from source
    {{ latest_version('call_id') }}

),

renamed as (

    select
        trim(call_id) as call_id,
        {{ force_code() }} as force_code,
        lower(trim(line)) as line,
        raw.parse_timestamp(received_at) as received_at,
        raw.parse_timestamp(answered_at) as answered_at,
        coalesce(
            raw.parse_boolean(abandoned), raw.parse_timestamp(answered_at) is null
        ) as is_abandoned,
        raw.parse_timestamp(abandoned_at) as abandoned_at,
        upper(raw.clean_text(borough_code)) as borough_code,
        _load_id as load_id

    from latest

)

select * from renamed
