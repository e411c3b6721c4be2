{#- Labels that match the same key (label_match_key) carry the same values, so a lookup on the
    key is unambiguous: one failing row per key with more than one combination. -#}
{% test labels_share_a_code_when_they_share_a_match_key(model, label_column, value_columns) %}

select
    {{ label_match_key(label_column) }} as match_key,
    count(distinct {{ value_columns | join(" || '|' || ") }}) as combinations
from {{ model }}
group by {{ label_match_key(label_column) }}
having count(distinct {{ value_columns | join(" || '|' || ") }}) > 1

{% endtest %}
