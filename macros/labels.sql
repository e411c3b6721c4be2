{#- The key a categorical label is matched on (docs/measures.md, "Survey design and unrecognised
    values"): lower case, the typographic apostrophe as a plain one, the separators of the census
    lists (" - ", ":", "/", ",", " or ") as one space, runs of spaces as one, trimmed. So
    "White: English/Welsh/Scottish/Northern Irish/British" (2011) and "White: English, Welsh,
    Scottish, Northern Irish or British" (2021) share a key, and "WHITE - IRISH " matches
    "White: Irish". Regular expressions differ by engine, hence the dispatch. -#}
{% macro label_match_key(label) -%}
    {{ return(adapter.dispatch('label_match_key')(label)) }}
{%- endmacro %}

{% macro duckdb__label_match_key(label) -%}
    trim(regexp_replace(
        regexp_replace(
            replace(lower({{ label }}), '’', ''''),
            '\s+-\s+|\s*[:/,]\s*|\s+or\s+', ' ', 'g'
        ),
        '\s+', ' ', 'g'
    ))
{%- endmacro %}

{% macro spark__label_match_key(label) -%}
    trim(regexp_replace(
        regexp_replace(
            replace(lower({{ label }}), '’', "'"),
            '\\s+-\\s+|\\s*[:/,]\\s*|\\s+or\\s+', ' '
        ),
        '\\s+', ' '
    ))
{%- endmacro %}

{% macro default__label_match_key(label) -%}
    {{ duckdb__label_match_key(label) }}
{%- endmacro %}
