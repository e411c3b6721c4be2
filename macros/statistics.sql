{#- Survey statistics as SQL expressions (docs/satisfaction.md), so every mart, dashboard and
    export reads the same figure. Arguments are SQL expressions; pass plain column names where
    a macro repeats its argument many times (normal_two_sided_p_value, erfc). Every macro gives
    NULL where the statistic is undefined (no valid responses), never an error or NaN. -#}

{#- z for the 95% intervals: Phi^-1(0.975) from var z_95 (1.959963984540054). -#}
{% macro z_95() -%}
    {{ var('z_95', 1.959963984540054) }}
{%- endmacro %}

{#- Weighted rate sum(w * satisfied) / sum(w), clamped to [0, 1] against rounding. -#}
{% macro weighted_rate(sum_w_satisfied, sum_w) -%}
    (case
        when ({{ sum_w }}) > 0
            then least(1.0, greatest(0.0, ({{ sum_w_satisfied }}) / ({{ sum_w }})))
    end)
{%- endmacro %}

{#- Kish effective sample size (sum w)^2 / sum w^2 (= n when every weight is equal). -#}
{% macro effective_sample_size(sum_w, sum_w2) -%}
    (case when ({{ sum_w2 }}) > 0 then ({{ sum_w }}) * ({{ sum_w }}) / ({{ sum_w2 }}) end)
{%- endmacro %}

{#- Wilson score interval for a proportion p on n (here n_eff) trials:
    (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), clipped to [0, 1] and, against
    rounding at p = 0 or 1, to contain p (as it does exactly). -#}
{% macro _wilson_bound(p, n, sign, z) -%}
    {%- set z = z if z is not none else z_95() -%}
    (case
        when ({{ n }}) > 0 and ({{ p }}) is not null
            then {{ 'least' if sign == '-' else 'greatest' }}(({{ p }}), least(1.0, greatest(0.0,
                (
                    ({{ p }}) + ({{ z }}) * ({{ z }}) / (2.0 * ({{ n }}))
                    {{ sign }} ({{ z }}) * sqrt(
                        greatest(({{ p }}) * (1.0 - ({{ p }})), 0.0) / ({{ n }})
                        + ({{ z }}) * ({{ z }}) / (4.0 * ({{ n }}) * ({{ n }}))
                    )
                ) / (1.0 + ({{ z }}) * ({{ z }}) / ({{ n }}))
            )))
    end)
{%- endmacro %}

{% macro wilson_low(p, n, z=none) -%}
    {{ _wilson_bound(p, n, '-', z) }}
{%- endmacro %}

{% macro wilson_high(p, n, z=none) -%}
    {{ _wilson_bound(p, n, '+', z) }}
{%- endmacro %}

{#- Newcombe's hybrid score interval for p1 - p2 (Newcombe 1998, method 10), from the Wilson
    intervals (l1, u1) of p1 and (l2, u2) of p2:
    low  = (p1 - p2) - sqrt((p1 - l1)^2 + (u2 - p2)^2)
    high = (p1 - p2) + sqrt((u1 - p1)^2 + (p2 - l2)^2). -#}
{% macro newcombe_low(p1, l1, u1, p2, l2, u2) -%}
    (({{ p1 }}) - ({{ p2 }}) - sqrt(
        (({{ p1 }}) - ({{ l1 }})) * (({{ p1 }}) - ({{ l1 }}))
        + (({{ u2 }}) - ({{ p2 }})) * (({{ u2 }}) - ({{ p2 }}))
    ))
{%- endmacro %}

{% macro newcombe_high(p1, l1, u1, p2, l2, u2) -%}
    (({{ p1 }}) - ({{ p2 }}) + sqrt(
        (({{ u1 }}) - ({{ p1 }})) * (({{ u1 }}) - ({{ p1 }}))
        + (({{ p2 }}) - ({{ l2 }})) * (({{ p2 }}) - ({{ l2 }}))
    ))
{%- endmacro %}

{#- Unpooled standard error of p1 - p2: sqrt(p1(1-p1)/n1 + p2(1-p2)/n2). -#}
{% macro two_proportion_se(p1, n1, p2, n2) -%}
    (case
        when ({{ n1 }}) > 0 and ({{ n2 }}) > 0
            then sqrt(
                greatest(({{ p1 }}) * (1.0 - ({{ p1 }})), 0.0) / ({{ n1 }})
                + greatest(({{ p2 }}) * (1.0 - ({{ p2 }})), 0.0) / ({{ n2 }})
            )
    end)
{%- endmacro %}

{#- z statistic (p1 - p2) / se; NULL when se is 0 or NULL. -#}
{% macro two_proportion_z(p1, p2, se) -%}
    (case when ({{ se }}) > 0 then (({{ p1 }}) - ({{ p2 }})) / ({{ se }}) end)
{%- endmacro %}

{#- Two-sided p-value of the two-proportion z-test with unpooled se. When se = 0 (both rates
    are 0 or 1) the statistic is undefined: p = 1 if the rates are equal (no difference at all),
    p = 0 if they differ (the limit as se -> 0). NULL when a rate is NULL. -#}
{% macro two_proportion_p_value(p1, p2, z) -%}
    (case
        when ({{ p1 }}) is null or ({{ p2 }}) is null then null
        when ({{ z }}) is not null then {{ normal_two_sided_p_value(z) }}
        when ({{ p1 }}) = ({{ p2 }}) then 1.0
        else 0.0
    end)
{%- endmacro %}

{#- P(|Z| >= |z|) for a standard normal Z: erfc(|z| / sqrt 2). -#}
{% macro normal_two_sided_p_value(z) -%}
    {{ erfc('(abs(' ~ z ~ ') * 0.7071067811865476)') }}
{%- endmacro %}

{#- Complementary error function for x >= 0 in plain SQL (DuckDB has no erf): absolute error
    below 1e-14, relative below 1e-9 (checked against scipy in
    tests/python/test_satisfaction_statistics.py). Flat sums and shallow nesting, so sqlfluff
    can parse the compiled models.
    x < 3: erfc = 1 - (2/sqrt(pi)) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)), a series of
    positive terms (no cancellation inside the sum), 60 terms;
    x >= 3: the even part of Laplace's continued fraction,
    erfc = (2x/sqrt(pi)) exp(-x^2) / (2x^2 + 1 - 1*2 / (2x^2 + 5 - 3*4 / (2x^2 + 9 - ...))),
    15 levels (converged to 1e-15 relative from x = 3). -#}
{% macro erfc(x, series_terms=60, fraction_levels=15, split=3.0) -%}
    {%- set ns = namespace(coefficient=1.0, terms=[], fraction='') -%}
    {%- for n in range(series_terms) -%}
        {%- if n > 0 -%}{%- set ns.coefficient = ns.coefficient * 2.0 / (2 * n + 1) -%}{%- endif -%}
        {%- set ns.terms = ns.terms + [ns.coefficient ~ ' * pow(' ~ x ~ ', ' ~ (2 * n + 1) ~ ')'] -%}
    {%- endfor -%}
    {%- set ns.fraction = '(2.0 * ' ~ x ~ ' * ' ~ x ~ ' + ' ~ (1 + 4 * fraction_levels) ~ '.0)' -%}
    {%- for k in range(fraction_levels, 0, -1) -%}
        {%- set ns.fraction = '(2.0 * ' ~ x ~ ' * ' ~ x ~ ' + ' ~ (1 + 4 * (k - 1)) ~ '.0 - '
            ~ ((2 * k - 1) * (2 * k)) ~ '.0 / ' ~ ns.fraction ~ ')' -%}
    {%- endfor -%}
    (case
        when ({{ x }}) is null then null
        when ({{ x }}) < {{ split }}
            then 1.0 - 1.1283791670955126 * exp(-({{ x }}) * ({{ x }})) * ({{ ns.terms | join(' + ') }})
        else 1.1283791670955126 * ({{ x }}) * exp(-({{ x }}) * ({{ x }})) / {{ ns.fraction }}
    end)
{%- endmacro %}

{#- Disclosure control (docs/measures.md): a cell with fewer than suppress_below_respondents valid
    responses has its rate suppressed; reliable from reliable_from_respondents. -#}
{% macro is_suppressed(respondents) -%}
    (({{ respondents }}) < {{ var('suppress_below_respondents', 10) }})
{%- endmacro %}

{% macro is_reliable(respondents) -%}
    (({{ respondents }}) >= {{ var('reliable_from_respondents', 50) }})
{%- endmacro %}

{#- The published count: '<10' for 1..9 respondents, the number otherwise (0 shows as 0: an
    empty cell discloses nothing). -#}
{% macro respondents_display(respondents) -%}
    (case
        when ({{ respondents }}) > 0 and {{ is_suppressed(respondents) }}
            then '<{{ var("suppress_below_respondents", 10) }}'
        else cast({{ respondents }} as varchar)
    end)
{%- endmacro %}

{#- A value published only when its cell is not suppressed. -#}
{% macro unless_suppressed(value, respondents) -%}
    (case when not {{ is_suppressed(respondents) }} then {{ value }} end)
{%- endmacro %}
