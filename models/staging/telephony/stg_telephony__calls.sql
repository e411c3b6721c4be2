{{ config(materialized='incremental', unique_key=['call_id']) }}

with

source as (

    select * from {{ source('telephony', 'calls') }}
    {{ new_loads_only() }}

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
