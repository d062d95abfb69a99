// A provider that stalls once, for the tests of a worker that freezes in the
// middle of a chunk (a paused VM, a long pause): its first aliasMessages
// call (a chunk's idempotency keys, made after the chunk's messages and
// before their commit), or its first transaction's commit, waits until the
// test releases it.

#pragma once

#include "adapter/forwarding_messaging_managers.h"
#include "adapter/forwarding_messaging_sessions.h"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>

namespace batch_test {

class StallingProvider final : public osid::adapter::ForwardingMessagingManager {
public:
    enum class At { Keys, Commit };

    explicit StallingProvider(std::shared_ptr<osid::messaging::MessagingManager> inner, At at = At::Keys)
        : ForwardingMessagingManager(std::move(inner)), at_(at),
          batch_(std::make_shared<BatchManager>(this->inner().getMessagingBatchManager(), *this))
    {
    }
    ~StallingProvider() override { release(); }

    std::shared_ptr<osid::messaging::batch::MessagingBatchManager> getMessagingBatchManager() override
    {
        return batch_;
    }

    // Whether a call stalled within `timeout`.
    bool waitUntilStalled(std::chrono::milliseconds timeout)
    {
        return stalled_.get_future().wait_for(timeout) == std::future_status::ready;
    }
    // Lets the stalled call (and any later one) go on.
    void release()
    {
        std::call_once(released_, [this] { release_.set_value(); });
    }

private:
    // The first caller stalls; the others go through.
    void stall()
    {
        bool expected = false;
        if (!stalling_.compare_exchange_strong(expected, true))
            return;
        stalled_.set_value();
        go_.wait();
    }

    struct Session final : osid::adapter::ForwardingMessageBatchAdminSession {
        Session(std::unique_ptr<osid::messaging::batch::MessageBatchAdminSession> wrapped, StallingProvider &of)
            : ForwardingMessageBatchAdminSession(std::move(wrapped)), owner(of)
        {
        }
        std::unique_ptr<osid::transaction::batch::AliasResponseList> aliasMessages(
            osid::transaction::batch::AliasRequestList &requests) override
        {
            if (owner.at_ == At::Keys)
                owner.stall();
            return ForwardingMessageBatchAdminSession::aliasMessages(requests);
        }
        std::unique_ptr<osid::transaction::Transaction> startTransaction() override
        {
            return std::make_unique<Transaction>(ForwardingMessageBatchAdminSession::startTransaction(), owner);
        }
        StallingProvider &owner;
    };

    struct Transaction final : osid::transaction::Transaction {
        Transaction(std::unique_ptr<osid::transaction::Transaction> wrapped, StallingProvider &of)
            : inner(std::move(wrapped)), owner(of)
        {
        }
        void prepare() override { inner->prepare(); }
        void commit() override
        {
            if (owner.at_ == At::Commit)
                owner.stall();
            inner->commit();
        }
        void abort() override { inner->abort(); }
        osid::transaction::TransactionState getState() const override { return inner->getState(); }
        std::unique_ptr<osid::transaction::Transaction> inner;
        StallingProvider &owner;
    };

    struct BatchManager final : osid::adapter::ForwardingMessagingBatchManager {
        BatchManager(std::shared_ptr<osid::messaging::batch::MessagingBatchManager> wrapped, StallingProvider &of)
            : ForwardingMessagingBatchManager(std::move(wrapped)), owner(of)
        {
        }
        std::unique_ptr<osid::messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSession() override
        {
            return std::make_unique<Session>(inner().getMessageBatchAdminSession(), owner);
        }
        StallingProvider &owner;
    };

    const At at_;
    std::atomic<bool> stalling_{false};
    std::promise<void> stalled_;
    std::promise<void> release_;
    std::shared_future<void> go_ = release_.get_future().share();
    std::once_flag released_;
    std::shared_ptr<BatchManager> batch_;
};

} // namespace batch_test
