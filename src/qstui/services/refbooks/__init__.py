"""Reference books shared by the areas: currencies and rates, pipelines and
their stages."""
