// Fuzz target: the text forms of Id, Type and DateTime.
//
// Any text either parses or raises InvalidArgument; what parses is written
// back by toString() to text that parses to an equal value, and that text
// is stable. Any three strings make an Id whose text form reads back to it,
// and an Id made with a key compares, orders and hashes as its text.

#include "fuzz/fuzz_input.h"
#include "osid/datetime.h"
#include "osid/errors.h"
#include "osid/id.h"
#include "osid/type.h"

#include <cstdint>
#include <string>
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
    // An Id made with a key is the Id made with its decimal text, against
    // any other Id of the space (one space: a process keeps each it sees).
    const Id space("fuzz.example.org", "fuzz.Key", "0");
    const auto key = static_cast<std::uint64_t>(in.int64());
    const Id keyed = space.withKey(key);
    const Id decimal = space.withIdentifier(std::to_string(key));
    const Id other = space.withIdentifier(id.getIdentifier());
    FUZZ_REQUIRE(keyed == decimal && keyed.hash() == decimal.hash() && keyed.toString() == decimal.toString());
    FUZZ_REQUIRE((keyed == other) == (decimal == other));
    FUZZ_REQUIRE((keyed <=> other) == (decimal <=> other));
    FUZZ_REQUIRE((keyed == other) == (keyed.hash() == other.hash() && keyed.toString() == other.toString()));
    const auto t = DateTime::fromMicroseconds(in.int64());
    if (DateTime::min() <= t && t <= DateTime::max())
        FUZZ_REQUIRE(DateTime::parse(t.toString()) == t);
    return 0;
}
