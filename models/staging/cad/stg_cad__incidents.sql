{{
    config(
        materialized='incremental',
        unique_key=['force_code', 'incident_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{#- A table, not a view: dozens of models and tests read it, and each read of a view would
    deduplicate every raw row again. Incremental: a run reads only the loads after the highest
    load_id it holds; a restated record replaces its earlier version (docs/incremental.md). -#}

with

source as (

    select * from {{ source('cad', 'incidents') }}
    {%- if is_incremental() %}
    where _load_id > (select coalesce(max(load_id), -1) from {{ this }})
    {%- endif %}

),

latest as (

    select * from source
    {{ latest_version('incident_id') }}

),

renamed as (

    select
        trim(incident_id) as incident_id,
        {{ force_code() }} as force_code,
        raw.clean_text(call_id) as call_id,
        raw.parse_timestamp(created_at) as created_at,
        upper(trim(grade)) as grade,
        lower(raw.clean_text(incident_type)) as incident_type,
        upper(raw.clean_text(borough_code)) as borough_code,
        lower(raw.clean_text(area_type)) as area_type,
        raw.parse_timestamp(first_arrival_at) as first_arrival_at,
        raw.parse_timestamp(appointment_at) as appointment_at,
        coalesce(raw.parse_boolean(attendance_cancelled), false) as is_attendance_cancelled,
        raw.parse_timestamp(closed_at) as closed_at,
        _load_id as load_id

    from latest

)

select * from renamed
