# The two commands a newcomer runs: `make demo` and `make test`.
# Both install missing Debian packages first (tools/install-deps.sh), then build.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps configure build demo test test-all package fuzz soak bench clean

all: build

deps:
	@bash tools/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE); \
	fi

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@bash tools/demo.sh

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE 'fuzz|slow'

test-all: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# A Debian package of the binary, the library, the headers, the standard
# library, the docs and the systemd unit: build/package/smdl_VERSION_ARCH.deb.
package: build
	@cd $(BUILD_DIR) && cpack -G DEB -B package

fuzz: deps
	@bash tools/fuzz.sh

# Hours of fuzzing and kill rounds (tools/soak.sh; SMDL_SOAK_FUZZ_SECONDS,
# SMDL_SOAK_KILL_ROUNDS); exits non-zero on any finding.
soak: deps
	@bash tools/soak.sh

bench: build
	@bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR) var
