# Developer shortcuts. The two commands a newcomer needs are scripts/run.sh
# and scripts/test.sh (see README.md).
export CARGO_TARGET_DIR ?= $(CURDIR)/target

.PHONY: run test openapi schema fmt

run:
	scripts/run.sh

test:
	scripts/test.sh

openapi:
	cargo run --quiet --locked --bin lcp -- openapi --output openapi/openapi.json

# Migrates a throwaway private cluster and prints its schema with the diesel CLI.
schema:
	scripts/print-schema.sh > backend/src/store/schema.rs.new
	mv backend/src/store/schema.rs.new backend/src/store/schema.rs

fmt:
	cargo fmt --all
	cd frontend && npm run --silent format
