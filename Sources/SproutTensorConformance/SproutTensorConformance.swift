// The SproutTensorConformance module; see ../shared/DESIGN.md for its place in the pipeline.
