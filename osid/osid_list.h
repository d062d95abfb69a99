// osid::OsidList<T> (OSID osid.OsidList): a single pass over a sequence of
// unknown length.
//
// OSID's typed lists (IdList, CreateResponseList, MessageList, ...) derive
// from OsidList<T> and add the OSID-named getters getNextX()/getNextXs(n).
// Every list is also a C++ input range, and so is the std::unique_ptr a
// method returns it in, so range-for works on the call itself:
//
//   for (const auto &response : session->createMessages(forms))
//       if (!response.isSuccessful()) report(response.getErrorMessage());
//
// Do not write `*session->createMessages(forms)` in a range-for: in C++20
// the returned pointer dies before the loop starts.
//
// A list is consumed as it is read; reading it again needs a new list. The
// order of elements is undefined unless the method that returned the list
// says otherwise. Lists may be lazy (a database cursor); errors of a lazy
// list surface from the getters, never from hasNext().
//
// A list is used by one thread at a time.

#pragma once

#include "osid/errors.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <concepts>
#include <optional>
#include <string>
#include <vector>

namespace osid {

template <class T>
class OsidList {
public:
    using value_type = T;

    OsidList() = default;
    OsidList(const OsidList &) = delete;
    OsidList &operator=(const OsidList &) = delete;
    virtual ~OsidList() = default;

    // True while elements remain. A list whose next read will fail still
    // answers true, so that the caller reaches the error.
    virtual bool hasNext() const = 0;

    // How many elements can be read now without blocking; never more than
    // remain, and possibly 0 even when hasNext() is true.
    virtual std::uint64_t available() const = 0;

    // Skips `n` elements; skipping past the end empties the list.
    virtual void skip(std::uint64_t n) = 0;

    // Binding-level: releases what the list holds. Afterwards hasNext() is
    // false. Closing twice is harmless.
    virtual void close() { skip(std::numeric_limits<std::uint64_t>::max()); }

    // Input iteration, for range-for and <algorithm> input algorithms.
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = const T *;
        using reference = const T &;

        iterator() = default;
        explicit iterator(OsidList *list) : list_(list) { advance(); }

        reference operator*() const { return *current_; }
        pointer operator->() const { return &*current_; }
        iterator &operator++()
        {
            advance();
            return *this;
        }
        void operator++(int) { advance(); }
        friend bool operator==(const iterator &it, std::default_sentinel_t) { return it.list_ == nullptr; }

    private:
        void advance()
        {
            if (list_ != nullptr && list_->hasNext())
                current_.emplace(list_->nextElement());
            else
                list_ = nullptr;
        }

        OsidList *list_ = nullptr;
        std::optional<T> current_;
    };

    iterator begin() { return iterator(this); }
    std::default_sentinel_t end() { return {}; }

protected:
    // Returns the next element. Implementations raise IllegalState when no
    // element remains and OperationFailed when the backend fails.
    virtual T nextElement() = 0;

    // Shared body of the typed getNextXs(n): raises IllegalState, and reads
    // nothing, when `n` exceeds available().
    std::vector<T> nextElements(std::uint64_t n)
    {
        if (n > available())
            throw IllegalState("asked for " + std::to_string(n) + " elements but only " + std::to_string(available()) +
                               " are available");
        std::vector<T> out;
        out.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n; ++i)
            out.push_back(nextElement());
        return out;
    }
};

// Range access for a list held by std::unique_ptr, found by argument-
// dependent lookup, so that range-for keeps the returned list alive.
template <class List>
requires std::derived_from<List, OsidList<typename List::value_type>>
auto begin(const std::unique_ptr<List> &list) { return list->begin(); }

template <class List>
requires std::derived_from<List, OsidList<typename List::value_type>>
auto end(const std::unique_ptr<List> &list) { return list->end(); }

} // namespace osid
