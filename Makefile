# The only entry points: setup, build, run, test, bench, fuzz (DESIGN.md).
WASM_TARGET := wasm32-unknown-unknown
WASM_RAW    := target/$(WASM_TARGET)/release/universal_members.wasm
WASM_OUT    := pkg/wasm
# The client build (browsers: codec, query builder, errors, HTTP; no engine).
WASM_CLIENT_RAW := target/$(WASM_TARGET)/client/universal_members.wasm
WASM_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
# The engine is optimised for speed, the client (downloaded by every visitor) for size.
WASM_OPT_ENGINE := node_modules/.bin/wasm-opt -O3 $(WASM_FEATURES)
WASM_OPT_CLIENT := node_modules/.bin/wasm-opt -Oz $(WASM_FEATURES)
PKGTEST     := .build/pkgtest

.PHONY: setup build run test bench fuzz soak lint test-rust test-js test-js-suites test-types test-bundlers test-e2e test-contract pack clean

setup:
	@scripts/setup.sh

# Two builds of one core (DESIGN.md): the engine for Node and the server, the
# client for browsers.
build: setup
	cargo build --release --lib --target $(WASM_TARGET)
	wasm-bindgen --target web --out-dir $(WASM_OUT) --out-name universal_members $(WASM_RAW)
	$(WASM_OPT_ENGINE) $(WASM_OUT)/universal_members_bg.wasm -o $(WASM_OUT)/universal_members_bg.wasm
	cargo build --profile client --lib --target $(WASM_TARGET) --no-default-features
	rm -rf $(WASM_OUT)/client
	wasm-bindgen --target web --out-dir $(WASM_OUT)/client --out-name universal_members $(WASM_CLIENT_RAW)
	$(WASM_OPT_CLIENT) $(WASM_OUT)/client/universal_members_bg.wasm -o $(WASM_OUT)/client/universal_members_bg.wasm
	@ls -l $(WASM_OUT)/universal_members_bg.wasm | awk '{ print "build: engine wasm is " $$5 " bytes" }'
	@ls -l $(WASM_OUT)/client/universal_members_bg.wasm | awk '{ print "build: client wasm is " $$5 " bytes" }'
	rm -rf pkg/www && cp -r www pkg/www

run: build
	node pkg/cli.mjs serve --port 8080 --host 127.0.0.1 --db sqlite:./members.db --demo

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) --no-default-features -- -D warnings

test-rust:
	cargo test

# The packed tarball, installed into a temp folder and imported by name, as a user would.
pack: build
	rm -rf $(PKGTEST) && mkdir -p $(PKGTEST)
	cd pkg && npm pack --pack-destination ../$(PKGTEST) --silent >/dev/null
	cd $(PKGTEST) && printf '{ "name": "pkgtest", "private": true, "type": "module" }\n' > package.json \
		&& npm install --no-audit --no-fund --silent ./universal-members-*.tgz
	cp -r tests/js/. $(PKGTEST)/
	cp -r tests/conformance $(PKGTEST)/conformance

# The same suite on every store and over HTTP against a real server process
# (parametrised by MEMBERS_TEST_STORE), then the
# multi-process tests (durability, concurrency) once; PostgreSQL is a throw-away
# cluster unless MEMBERS_TEST_POSTGRES_URL names a server.
test-js: pack
	scripts/with-postgres.sh $(MAKE) --no-print-directory test-js-suites

STORES := memory sqlite postgres http
test-js-suites:
	@cd $(PKGTEST) && for store in $(STORES); do \
		echo "== node suite on $$store"; \
		MEMBERS_TEST_STORE=$$store node --test --test-reporter=spec *.test.mjs || exit 1; \
	done
	@if ls $(PKGTEST)/process/*.test.mjs >/dev/null 2>&1; then \
		echo "== multi-process tests"; \
		cd $(PKGTEST) && MEMBERS_REPO_ROOT=$(CURDIR) node --test --test-reporter=spec process/*.test.mjs; \
	fi

# The packed package's types in plain `tsc --init --strict` projects (bundler,
# node16, nodenext; with and without DOM), a doc comment on every export, and
# every declared value exported by the Node entry.
test-types: pack
	tests/ts/check.sh $(PKGTEST)
	MEMBERS_PACKAGE_DIR=$(PKGTEST)/node_modules/universal-members node --test tests/ts/docs.test.mjs tests/ts/exports.test.mjs

# A real page in headless Chromium, talking to a real server.
test-e2e: build
	node --test --test-reporter=spec tests/e2e/*.test.mjs

# A Vite app and an esbuild bundle of the packed tarball, default settings, run
# in Chromium against a real server; the client wasm is checked to hold no engine.
test-bundlers: pack
	MEMBERS_PKGTEST=$(PKGTEST) MEMBERS_E2E_PKG=$(PKGTEST)/node_modules/universal-members \
		node --test --test-reporter=spec tests/bundlers/*.test.mjs

# The OpenAPI document against a real server: schemathesis (in .venv/, from
# make setup) with every check, a fixed seed, admin key and member session.
test-contract: build
	node --test --test-reporter=spec tests/contract/*.test.mjs

test: setup lint test-rust test-js test-types test-bundlers test-e2e test-contract

bench: build pack
	MEMBERS_PKGTEST=$(PKGTEST) MEMBERS_E2E_PKG=$(PKGTEST)/node_modules/universal-members node bench/browser.mjs
	node bench/cold-start.mjs --package $(PKGTEST)/node_modules/universal-members --write
	node bench/dataset.mjs
	cargo bench --bench queries > .build/native-bench.json
	node bench/queries.mjs .build/native-bench.json --package $(PKGTEST)/node_modules/universal-members
	node bench/boundary.mjs
	scripts/with-postgres.sh node bench/storage.mjs
	node bench/scale.mjs
	node bench/http.mjs
	node bench/auth.mjs
	node bench/events.mjs
	scripts/with-postgres.sh node bench/jobs.mjs
	node bench/import.mjs

# cargo-fuzz targets (nightly, installed when missing), one at a time for
# FUZZ_SECONDS each (default 60); finds land in fuzz/regressions/, which
# `make test` replays on stable (tests/fuzz_corpus.rs). FUZZING.md has the figures.
fuzz:
	@scripts/fuzz.sh

# Load and faults (issue 13): SOAK_SECONDS (default 600) of mixed load on SQLite
# and on PostgreSQL, then a SIGKILLed server and a PostgreSQL restart under load;
# about 2 × SOAK_SECONDS + 4 minutes. Not part of `make test`; writes the soak
# section of bench/RESULTS.md.
soak: build
	scripts/with-postgres.sh node bench/soak.mjs

clean:
	rm -rf target .build $(WASM_OUT)
