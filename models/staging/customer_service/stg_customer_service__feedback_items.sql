with

source as (

    select * from {{ source('customer_service', 'feedback') }}

),

latest as (

    select * from source
    {{ latest_version('feedback_id') }}

),

renamed as (

    select
        trim(feedback_id) as feedback_id,
        {{ force_code() }} as force_code,
        lower(trim(feedback_type)) as feedback_type,
        lower(raw.clean_text(category)) as category,
        lower(raw.clean_text(channel)) as channel,
        raw.parse_timestamp(received_at) as received_at,
        raw.parse_timestamp(acknowledged_at) as acknowledged_at,
        coalesce(
            raw.parse_boolean(response_requested),
            lower(trim(feedback_type)) in ('complaint', 'dissatisfaction')
        ) as is_response_requested,
        raw.parse_timestamp(responded_at) as responded_at,
        raw.parse_timestamp(resolved_at) as resolved_at,
        lower(raw.clean_text(outcome)) as outcome,
        upper(raw.clean_text(borough_code)) as borough_code,
        _load_id as load_id

    from latest

)

select * from renamed
