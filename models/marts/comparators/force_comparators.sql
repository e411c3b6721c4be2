{#- Published (docs/marts.md): the published figures a page or the board pack shows beside a force's
    own figure. One row per (force_code, comparator_id): for every force of the forces seed, its own
    published figures (role own: the force or one of its districts), those of each member of its
    most-similar group (role most_similar) and the group average where printed (most_similar_average),
    and the national figures (role national). The label says "published, <period>, <source>". -#}

with

forces as (

    select * from {{ ref('forces') }}

),

groups as (

    select * from {{ ref('most_similar_forces') }}

),

published_comparators as (

    select * from {{ ref('published_comparators') }}

),

published as (

    select
        comparator_id,
        measure_key,
        question,
        related_standard_id,
        geography_type,
        force_code as comparator_force_code,
        geography_as_printed,
        period,
        period_end_month,
        measure_as_printed,
        value,
        unit,
        ci_half_width,
        sample_base_n,
        target,
        threshold_as_printed,
        source_id,
        source_name,
        source_url,
        publisher,
        notes
    from published_comparators

),

own as (

    select
        forces.force_code,
        'own' as comparator_role,
        published.*
    from forces
    inner join published
        on
            forces.force_code = published.comparator_force_code
            and published.geography_type in ('force', 'district')

),

group_average as (

    select
        forces.force_code,
        'most_similar_average' as comparator_role,
        published.*
    from forces
    inner join published
        on
            forces.force_code = published.comparator_force_code
            and published.geography_type = 'msf_average'

),

most_similar as (

    select
        groups.force_code,
        'most_similar' as comparator_role,
        published.*
    from groups
    inner join published
        on
            groups.member_force_code = published.comparator_force_code
            and published.geography_type = 'force'

),

national as (

    select
        forces.force_code,
        'national' as comparator_role,
        published.*
    from forces
    cross join published
    where published.geography_type = 'national'

),

unioned as (

    select * from own
    union all
    select * from group_average
    union all
    select * from most_similar
    union all
    select * from national

),

final as (

    select
        unioned.force_code,
        unioned.comparator_id,
        unioned.comparator_role,
        unioned.measure_key,
        nullif(unioned.question, '') as question,
        nullif(unioned.related_standard_id, '') as related_standard_id,
        unioned.geography_type,
        unioned.comparator_force_code,
        coalesce(
            case when unioned.geography_type = 'force' then comparator_force.force_name end,
            unioned.geography_as_printed
        ) as comparator_name,
        unioned.period,
        unioned.period_end_month,
        unioned.measure_as_printed,
        unioned.value,
        unioned.unit,
        unioned.ci_half_width,
        round(unioned.value - unioned.ci_half_width, 6) as ci_low,
        round(unioned.value + unioned.ci_half_width, 6) as ci_high,
        unioned.sample_base_n,
        unioned.target,
        unioned.threshold_as_printed,
        unioned.source_id,
        unioned.source_name,
        unioned.source_url,
        unioned.publisher,
        'published, ' || unioned.period || ', ' || unioned.source_name as label,
        unioned.notes
    from unioned
    left join forces as comparator_force
        on unioned.comparator_force_code = comparator_force.force_code

)

select * from final
