{#- Every row satisfies a SQL expression (optionally only rows matching `where`). -#}
{% test expression_is_true(model, expression, where=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{%- if where %}
  and ({{ where }})
{%- endif %}

{% endtest %}
