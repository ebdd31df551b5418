// ExperimentGraph: written once the typed AST (SproutSpec) lands.
