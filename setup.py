"""Maps the design's top-level folders (agent/, tools/, ...) into the one import package `credlift`."""
from setuptools import find_packages, setup

LAYERS = ["agent", "prompts", "tools", "knowledge", "ui", "evals", "training"]

package_dir = {"credlift": "credlift"}
packages = ["credlift"] + [f"credlift.{p}" for p in find_packages("credlift")]
for layer in LAYERS:
    package_dir[f"credlift.{layer}"] = layer
    packages.append(f"credlift.{layer}")
    packages += [f"credlift.{layer}.{p}" for p in find_packages(layer)]

setup(
    package_dir=package_dir,
    packages=packages,
    package_data={"": ["*.yaml", "*.yml", "*.txt", "*.md", "*.json", "*.csv", "*.ttf", "*.otf", "*.css", "*.js", "*.joblib", "*.onnx", "*.png", "*.jpg"]},
    include_package_data=True,
)
