// Fuzz target: the text forms of Id, Type and DateTime.
//
// Any text either parses or raises InvalidArgument; what parses is written
// back by toString() to text that parses to an equal value, and that text
// is stable. Any three strings make an Id whose text form reads back to it.

#include "fuzz/fuzz_input.h"
#include "osid/datetime.h"
#include "osid/errors.h"
#include "osid/id.h"
#include "osid/type.h"

#include <string_view>

using namespace osid;
using osid_fuzz::FuzzInput;

namespace {

template <class T>
void checkParse(std::string_view text)
{
    T value;
    try {
        value = T::parse(text);
    } catch (const InvalidArgument &) {
        return;
    }
    const auto written = value.toString();
    const auto again = T::parse(written);
    FUZZ_REQUIRE(again == value);
    FUZZ_REQUIRE(again.toString() == written);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    checkParse<Id>(text);
    checkParse<Type>(text);
    checkParse<DateTime>(text);

    FuzzInput in(data, size);
    const Id id(in.string(), in.string(), in.string());
    if (!id.isNull()) {
        const auto back = Id::parse(id.toString());
        FUZZ_REQUIRE(back == id);
        FUZZ_REQUIRE(back.getAuthority() == id.getAuthority());
        FUZZ_REQUIRE(back.getIdentifierNamespace() == id.getIdentifierNamespace());
        FUZZ_REQUIRE(back.getIdentifier() == id.getIdentifier());
    }
    const auto t = DateTime::fromMicroseconds(in.int64());
    if (DateTime::min() <= t && t <= DateTime::max())
        FUZZ_REQUIRE(DateTime::parse(t.toString()) == t);
    return 0;
}
