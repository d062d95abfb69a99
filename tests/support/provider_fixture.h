// ProviderFixture: the conformance suite's Fixture over a fresh memory
// store, with the sessions bound to its default mailbox, for the doctest
// tests of what is particular to the memory provider. The helpers
// (resource(), at(), collect(), ...) are the suite's.

#pragma once

#include "conformance/fixture.h"

#include "impl/memory/memory_provider.h"
#include "messaging/batch/messaging_batch_manager.h"

#include <doctest/doctest.h>

namespace osid::testing {

// The suite's helpers and names, for the memory tests.
using namespace osid::conformance;

struct ProviderFixture : conformance::Fixture {
    ProviderFixture()
        : Fixture([] { return impl::memory::makeMemoryMessagingManager(); }, {}, Fixture::Mailbox::Default)
    {
    }
};

} // namespace osid::testing
