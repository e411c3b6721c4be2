{{
    config(
        materialized='incremental',
        unique_key=['force_code', 'contact_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{#- A table, not a view: dozens of models and tests read it, and each read of a view would
    deduplicate every raw row again. Incremental: a run reads only the loads after the highest
    load_id it holds; a restated record replaces its earlier version (docs/incremental.md). -#}

with

source as (

    select * from {{ source('crime_records', 'victim_contacts') }}
    {%- if is_incremental() %}
    where _load_id > (select coalesce(max(load_id), -1) from {{ this }})
    {%- endif %}

),

latest as (

    select * from source
    {{ latest_version('contact_id') }}

),

renamed as (

    select
        trim(contact_id) as contact_id,
        {{ force_code() }} as force_code,
        trim(crime_reference) as crime_reference,
        lower(trim(contact_type)) as contact_type,
        raw.parse_timestamp(contact_at) as contact_at,
        upper(raw.clean_text(borough_code)) as borough_code,
        lower(raw.clean_text(crime_type)) as crime_type,
        _load_id as load_id

    from latest

)

select * from renamed
