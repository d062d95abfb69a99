// What the fuzz targets share: reading typed values from libFuzzer's bytes,
// and failing loudly when an invariant does not hold.

#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace osid_fuzz {

// Reads values front to back; past the end every read gives zeros or
// empty strings, so a target never has to check the length itself.
class FuzzInput {
public:
    FuzzInput(const std::uint8_t *data, std::size_t size) : data_(data), size_(size) {}

    bool empty() const noexcept { return pos_ >= size_; }

    std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }

    // A value in [0, bound), bound > 0.
    unsigned below(unsigned bound) { return byte() % bound; }

    std::int64_t int64()
    {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v = (v << 8) | byte();
        std::int64_t out;
        std::memcpy(&out, &v, sizeof out);
        return out;
    }

    // A string of up to `maximum` bytes, its length read first (any bytes:
    // not necessarily UTF-8).
    std::string string(std::size_t maximum = 255)
    {
        const std::size_t remaining = pos_ < size_ ? size_ - pos_ - 1 : 0;
        const std::size_t length = std::min({std::size_t{byte()}, maximum, remaining});
        std::string out(reinterpret_cast<const char *>(data_ + pos_), length);
        pos_ += length;
        return out;
    }

private:
    const std::uint8_t *data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

// Aborts with a message when `condition` is false: libFuzzer records the
// input that got here.
#define FUZZ_REQUIRE(condition)                                                                                        \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition);                     \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (false)

} // namespace osid_fuzz
