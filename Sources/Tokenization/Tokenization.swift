// The Tokenization module: see DESIGN.md.
