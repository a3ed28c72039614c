{{ config(materialized='view') }}  {#- read once, by int_enrichment__blocks #}
-- Stock-versus-market block: 60-observation beta to TOPIX
-- (same-day market return), alphas, relative strength and idiosyncratic volatility ratio.
{{ beta_block(ref('ml_dataset'), ref('int_enrichment__market')) }}
