{#-
  Exact first-order recursive smoothing as one SQL expression, for histories of any length:
      S_t = (1 - alpha) * S_{t-1} + alpha * x_t        for t > seed_row
      S_seed_row = seed_value                            (NULL before seed_row)

  Closed form: S_t = r^(t-s) * seed + alpha * sum_{s<k<=t} r^(t-k) * x_k, with r = 1 - alpha.
  The textbook r^t * sum(r^-k * x_k) overflows once k * -ln(r) > 709 (~1,750 rows for span 5).
  Blocked instead: rows are cut into blocks of B = ceil(40 / -ln r) rows (position p in its
  block), so every weight r^-p stays below e^40; a row sums its own block so far plus the whole
  previous block (both window frames of variable size). Older rows weigh less than
  r^B = e^-40 ≈ 4e-18 of the result, below double precision — exact to ~1e-15, no truncation
  visible, and one sort per partition for any number of smoothings sharing it.

  x           value expression (NULL counts as 0 weight; callers pass complete series)
  alpha       smoothing factor in (0, 1)
  index       1-based observation number column (row_idx)
  seed_row    first row with a value (an integer expression or literal)
  seed_value  value at seed_row (an expression valid on every row, constant per partition)
-#}
{% macro exponential_smoothing(x, alpha, index='row_idx', partition_by='code', seed_row=1, seed_value=none) -%}
    {{ return(adapter.dispatch('exponential_smoothing', 'gogooku3')(x, alpha, index, partition_by, seed_row, seed_value)) }}
{%- endmacro %}

{% macro default__exponential_smoothing(x, alpha, index, partition_by, seed_row, seed_value) -%}
    {#- constants folded by DuckDB: ln r and the block length B = ceil(40 / -ln r) -#}
    {%- set lnr = 'ln(1.0 - (' ~ alpha ~ ')::double)' -%}
    {%- set block = 'cast(ceil(40.0 / -' ~ lnr ~ ') as bigint)' -%}
    {%- set p = '((' ~ index ~ ' - 1) % ' ~ block ~ ')' -%}
    {%- set y = 'case when ' ~ index ~ ' > ' ~ seed_row ~ ' then (' ~ x ~ ') * exp(-' ~ lnr ~ ' * ' ~ p ~ ') end' -%}
    {%- set seed = seed_value if seed_value is not none else first_at(x, seed_row, index, partition_by) -%}
    case when {{ index }} >= {{ seed_row }} then
        exp({{ lnr }} * ({{ index }} - {{ seed_row }})) * ({{ seed }})
        + ({{ alpha }})::double * exp({{ lnr }} * {{ p }}) * (
            coalesce(sum({{ y }}) over (partition by {{ partition_by }} order by {{ index }}
                                       rows between {{ p }} preceding and current row), 0)
            + exp({{ lnr }} * {{ block }}) * coalesce(sum({{ y }}) over (partition by {{ partition_by }} order by {{ index }}
                                       rows between ({{ block }} + {{ p }}) preceding and ({{ p }} + 1) preceding), 0)
        )
    end
{%- endmacro %}

{#- The value of x at row `row` of the partition, on every row of it. -#}
{% macro first_at(x, row, index='row_idx', partition_by='code') -%}
    max(case when {{ index }} = {{ row }} then {{ x }} end) over (partition by {{ partition_by }} order by {{ index }}
        rows between unbounded preceding and unbounded following)
{%- endmacro %}
