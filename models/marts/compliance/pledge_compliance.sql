{#- Published (docs/marts.md): per standard, force, borough and London month, numerator (met),
    denominator (met + missed), pending, rate and RAG against the standards seed's target. Only
    cells with a record in the denominator or a pending record exist. -#}

with

records as (

    select * from {{ ref('int_compliance_records_unioned') }}

),

standards as (

    select * from {{ ref('standards') }}

),

counted as (

    select
        standard_id,
        force_code,
        borough_code,
        period_month,
        count(*) filter (where outcome = 'met') as numerator,
        count(*) filter (where outcome in ('met', 'missed')) as denominator,
        count(*) filter (where outcome = 'pending') as pending

    from records
    group by standard_id, force_code, borough_code, period_month

),

rated as (

    select
        counted.standard_id,
        counted.force_code,
        counted.borough_code,
        counted.period_month,
        counted.numerator,
        counted.denominator,
        counted.pending,
        case
            when counted.denominator > 0 then counted.numerator / counted.denominator
        end as rate,
        standards.target_rate

    from counted
    inner join standards
        on counted.standard_id = standards.standard_id

),

final as (

    select
        standard_id,
        force_code,
        borough_code,
        period_month,
        numerator,
        denominator,
        pending,
        rate,
        target_rate,
        {{ rag_status('rate', 'target_rate', 'denominator') }} as rag

    from rated

)

select * from final
