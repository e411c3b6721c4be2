{#- Inference the marts publish beside their estimates (docs/measures.md, "BME satisfaction gap",
    "Inference across boroughs", "Change over time"): one procedure per comparison, so a p-value
    never contradicts its interval.

    Every published difference is a MOVER (square-and-add) interval built from the arms of two
    independent estimates: the Newcombe hybrid score interval of p1 - p2 is MOVER on two Wilson
    intervals, the change of a rate is MOVER on the Wilson intervals of two windows, and the
    change of a gap is MOVER on two Newcombe intervals (four Wilson intervals). Its p-value comes
    from inverting that interval in z: z* is the critical value at which the interval's limit on
    the side of 0 reaches 0 (the lower limit for a positive difference, the upper for a negative
    one), p = 2 (1 - Phi(z*)) and z_statistic the signed z*. Then p < 0.05 exactly when the 95%
    interval excludes 0.

    z* is found by bisection on [0, inverted_z_upper] with inverted_z_steps halvings (38: the
    midpoint is within 40 / 2^39 < 1e-10 of the root), unrolled by Jinja into three CTEs per step
    (the midpoint, its test and the halved bracket as columns, so each step's SQL holds the interval once):
    no recursion, no engine-specific function, the same SQL on DuckDB and Spark. A limit that
    has not reached 0 at z = 40 gives z* = 40 (p = 0 in double precision).

    The CTE macros below emit comma-separated CTEs (no trailing comma) for the caller's `with`;
    each says which CTE it ends with and which columns it adds. -#}

{#- A MOVER interval is described by its `terms`: one per Wilson estimate it is built from, each
    a dict {'key': coefficient column stem, 'lower': 'low' or 'high'}, where `lower` names the
    arm of that estimate which enters the interval's LOWER limit (its other arm enters the upper
    limit). The squared half-width on a side is the sum of the terms' squared arms:
        p1 - p2:                 lower = p1 low + p2 high
        (a1 - b1) - (a0 - b0):   lower = a1 low + b1 high + a0 high + b0 low.
    Returned with `columns`, the select expressions of the coefficient columns the arms read. -#}

{#- The squared arms of a Wilson interval on (p, n) at critical value z, in a form whose SQL
    holds z few times: with g = (p - 1/2) / n, f = 1 / n, c = p (1 - p) / n, e = 1 / (4 n^2) and
    s = sqrt(c + z^2 e), the Wilson limits (macros/statistics.sql) give
        p - low  = z (s + z g) / (1 + z^2 f)      high - p = z (s - z g) / (1 + z^2 f)
    (both >= 0 since s >= z / 2n >= |z g|). g, f, c, e are columns computed once per row (NULL
    when n is not positive or p is NULL, as the Wilson limits are), named after p, which must be
    a plain column name. -#}
{% macro _wilson_coefficient_columns(p, n) -%}
    {%- set defined = 'case when (' ~ n ~ ') > 0 and (' ~ p ~ ') is not null then ' -%}
    {{ return([
        defined ~ '((' ~ p ~ ') - 0.5) / (' ~ n ~ ') end as ' ~ p ~ '_g',
        defined ~ '1.0 / (' ~ n ~ ') end as ' ~ p ~ '_f',
        defined ~ 'greatest((' ~ p ~ ') * (1.0 - (' ~ p ~ ')), 0.0) / (' ~ n ~ ') end as ' ~ p ~ '_c',
        defined ~ '1.0 / (4.0 * (' ~ n ~ ') * (' ~ n ~ ')) end as ' ~ p ~ '_e',
    ]) }}
{%- endmacro %}

{#- Squared arm of term key at critical value z (an SQL expression), given h: + g for the low
    arm, - g for the high arm (h is a column or an expression). -#}
{% macro _wilson_arm_sq(key, h, z) -%}
    power({{ z }} * (sqrt({{ key }}_c + {{ z }} * {{ z }} * {{ key }}_e) + {{ z }} * {{ h }})
        / (1.0 + {{ z }} * {{ z }} * {{ key }}_f), 2)
{%- endmacro %}

{#- Squared half-width of the MOVER interval on side 'low' or 'high' at critical value z. -#}
{% macro _mover_half_width_sq(arms, side, z) -%}
    {%- set parts = [] -%}
    {%- for term in arms.terms -%}
        {%- set arm = term.lower if side == 'low' else ('high' if term.lower == 'low' else 'low') -%}
        {%- do parts.append(_wilson_arm_sq(term.key, ('' if arm == 'low' else '-') ~ term.key ~ '_g', z)) -%}
    {%- endfor -%}
    ({{ parts | join(' + ') }})
{%- endmacro %}

{#- The arms of a difference p1 - p2 of two Wilson estimates (Newcombe, method 10). -#}
{% macro wilson_difference_arms(p1, n1, p2, n2) -%}
    {{ return({
        'columns': _wilson_coefficient_columns(p1, n1) + _wilson_coefficient_columns(p2, n2),
        'terms': [{'key': p1, 'lower': 'low'}, {'key': p2, 'lower': 'high'}],
    }) }}
{%- endmacro %}

{#- The arms of a change between two independent differences (a1 - b1) now and (a0 - b0)
    before, each a Newcombe interval: the change's lower limit takes the lower arm of the
    difference now (a1 low, b1 high) and the upper arm of the difference before (a0 high,
    b0 low). -#}
{% macro newcombe_change_arms(a1, na1, b1, nb1, a0, na0, b0, nb0) -%}
    {%- set now = wilson_difference_arms(a1, na1, b1, nb1) -%}
    {%- set before = wilson_difference_arms(a0, na0, b0, nb0) -%}
    {{ return({
        'columns': now.columns + before.columns,
        'terms': now.terms + [{'key': a0, 'lower': 'high'}, {'key': b0, 'lower': 'low'}],
    }) }}
{%- endmacro %}

{#- CTEs that invert a MOVER interval of `estimate` (a column of `source`) in z. Ends with CTE
    `<prefix>_inverted`: the columns of source plus <prefix>_ci_low, <prefix>_ci_high (the 95%
    interval), <prefix>_z_statistic (signed z*, 0 when the estimate is 0) and <prefix>_p_value
    (1 when the estimate is 0); all NULL when the estimate is NULL. Bisection bookkeeping and
    coefficient columns stay in the CTEs; select the published columns.

    The limit on the side of 0 is the lower one for a positive estimate and the upper one for a
    negative one: each term's h column (+ g or - g) is fixed per row by that sign before the
    bisection, so every step tests one sum of squared arms against the estimate squared. -#}
{% macro inverted_mover_ctes(source, estimate, arms, prefix) -%}
    {%- set steps = var('inverted_z_steps', 38) | int -%}
    {%- set upper = var('inverted_z_upper', 40.0) -%}
    {%- set d = '(' ~ estimate ~ ')' -%}
    {%- set toward_zero = [] -%}
    {%- for term in arms.terms -%}
        {%- do toward_zero.append(_wilson_arm_sq(term.key, prefix ~ '_' ~ term.key ~ '_h', '@z')) -%}
    {%- endfor -%}
    {%- set toward_zero = '(' ~ toward_zero | join(' + ') ~ ')' -%}
{{ prefix }}_z_coefficients as (

    select
        *,
        {{ arms.columns | join(',\n        ') }}
    from {{ source }}

),

{{ prefix }}_z_step_0 as (

    select
        *,
        {% for term in arms.terms -%}
        case when {{ d }} > 0 then {{ '' if term.lower == 'low' else '-' }}{{ term.key }}_g
            else {{ '-' if term.lower == 'low' else '' }}{{ term.key }}_g end as {{ prefix }}_{{ term.key }}_h,
        {% endfor -%}
        0.0 as {{ prefix }}_z_lo_0,
        {{ upper }} as {{ prefix }}_z_hi_0
    from {{ prefix }}_z_coefficients

),
{% for k in range(1, steps + 1) %}
    {%- set lo = prefix ~ '_z_lo_' ~ (k - 1) -%}
    {%- set hi = prefix ~ '_z_hi_' ~ (k - 1) -%}
    {%- set mid = prefix ~ '_z_mid_' ~ k -%}
{{ prefix }}_z_halved_{{ k }} as (

    select
        *,
        ({{ lo }} + {{ hi }}) / 2.0 as {{ mid }}
    from {{ prefix }}_z_step_{{ k - 1 }}

),

{{ prefix }}_z_test_{{ k }} as (

    select
        *,
        {{ toward_zero | replace('@z', mid) }} < {{ d }} * {{ d }} as {{ prefix }}_z_below_{{ k }}
    from {{ prefix }}_z_halved_{{ k }}

),

{{ prefix }}_z_step_{{ k }} as (

    select
        *,
        case when {{ prefix }}_z_below_{{ k }} then {{ mid }} else {{ lo }} end as {{ prefix }}_z_lo_{{ k }},
        case when {{ prefix }}_z_below_{{ k }} then {{ hi }} else {{ mid }} end as {{ prefix }}_z_hi_{{ k }}
    from {{ prefix }}_z_test_{{ k }}

),
{% endfor %}
{{ prefix }}_z_solved as (

    select
        *,
        {{ d }} - sqrt({{ _mover_half_width_sq(arms, 'low', z_95()) }}) as {{ prefix }}_ci_low,
        {{ d }} + sqrt({{ _mover_half_width_sq(arms, 'high', z_95()) }}) as {{ prefix }}_ci_high,
        case
            when {{ d }} is null then null
            when {{ d }} = 0 then 0.0
            when {{ d }} > 0
                then ({{ prefix }}_z_lo_{{ steps }} + {{ prefix }}_z_hi_{{ steps }}) / 2.0
            else -({{ prefix }}_z_lo_{{ steps }} + {{ prefix }}_z_hi_{{ steps }}) / 2.0
        end as {{ prefix }}_z_statistic
    from {{ prefix }}_z_step_{{ steps }}

),

{{ prefix }}_inverted as (

    select
        *,
        {{ normal_two_sided_p_value(prefix ~ '_z_statistic') }} as {{ prefix }}_p_value
    from {{ prefix }}_z_solved

)
{%- endmacro %}

{#- Two independent groups compared (docs/measures.md, "BME satisfaction gap"): the difference
    p1 - p2 of two weighted rates with their effective sample sizes, Newcombe's hybrid score 95%
    interval and the p-value and z from inverting it. Ends with CTE `<prefix>_inverted` with
    <prefix>_difference, <prefix>_ci_low, <prefix>_ci_high, <prefix>_z_statistic and
    <prefix>_p_value (fractions, not percentage points). -#}
{% macro compare_two_groups(source, p1, n1, p2, n2, prefix) -%}
{{ prefix }}_difference as (

    select
        *,
        ({{ p1 }}) - ({{ p2 }}) as {{ prefix }}_difference
    from {{ source }}

),

{{ inverted_mover_ctes(prefix ~ '_difference', prefix ~ '_difference',
    wilson_difference_arms(p1, n1, p2, n2), prefix) }}
{%- endmacro %}

{#- Holm's step-down adjustment (docs/measures.md, "Inference across boroughs"). Ends with CTE
    `<prefix>_holm` adding <prefix>_p_value_holm: within each family (the `family` columns) the
    rows with `member` true and a p-value are sorted by p ascending (ties in `tiebreak` order),
    adjusted p_(i) = max over j <= i of min(1, (m - j + 1) p_(j)). A row that is not a member
    is its own family of one (adjusted p = p). NULL p stays NULL. -#}
{% macro holm_adjust(source, p_value, family, member, tiebreak, prefix) -%}
{%- set partition = family | join(', ') ~ ', (' ~ member ~ '), (' ~ p_value ~ ' is null)' -%}
{{ prefix }}_ranked as (

    select
        *,
        case when {{ member }} then count({{ p_value }}) over (partition by {{ partition }}) else 1 end
            as {{ prefix }}_family_size,
        case
            when {{ member }}
                then row_number() over (partition by {{ partition }} order by {{ p_value }}, {{ tiebreak }})
            else 1
        end as {{ prefix }}_family_rank
    from {{ source }}

),

{{ prefix }}_holm as (

    select
        *,
        case
            when {{ p_value }} is not null and {{ member }}
                then max(least(1.0, ({{ prefix }}_family_size - {{ prefix }}_family_rank + 1) * {{ p_value }}))
                    over (
                        partition by {{ partition }}
                        order by {{ p_value }}, {{ tiebreak }}
                        rows between unbounded preceding and current row
                    )
            when {{ p_value }} is not null then {{ p_value }}
        end as {{ prefix }}_p_value_holm
    from {{ prefix }}_ranked

)
{%- endmacro %}

{#- The significance level of the published tests (var significance_level, 0.05; the intervals
    are at 1 - significance_level through z_95). -#}
{% macro significance_level() -%}
    {{ var('significance_level', 0.05) }}
{%- endmacro %}
