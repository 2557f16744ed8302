"""Recipes: ``xlt run recipe.yaml`` composes the stages into cached, resumable pipelines."""

from xlt.pipeline.recipe import Recipe, load_recipe
from xlt.pipeline.run import RunResult, run_recipe

__all__ = ["Recipe", "RunResult", "load_recipe", "run_recipe"]
