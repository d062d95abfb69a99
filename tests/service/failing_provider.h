// A provider that fails on demand, for the tests of what the batch service
// does when the provider fails: the memory provider, whose createMessages
// throws OperationFailed while `failing` is set.

#pragma once

#include "adapter/forwarding_messaging_managers.h"
#include "adapter/forwarding_messaging_sessions.h"
#include "impl/memory/memory_provider.h"

#include <atomic>
#include <memory>

namespace batch_test {

class FailingProvider final : public osid::adapter::ForwardingMessagingManager {
public:
    FailingProvider()
        : ForwardingMessagingManager(osid::impl::memory::makeMemoryMessagingManager()),
          batch_(std::make_shared<BatchManager>(inner().getMessagingBatchManager(), failing))
    {
    }

    std::shared_ptr<osid::messaging::batch::MessagingBatchManager> getMessagingBatchManager() override
    {
        return batch_;
    }

    std::atomic<bool> failing{true};

private:
    struct Session final : osid::adapter::ForwardingMessageBatchAdminSession {
        Session(std::unique_ptr<osid::messaging::batch::MessageBatchAdminSession> inner, std::atomic<bool> &switch_)
            : ForwardingMessageBatchAdminSession(std::move(inner)), failing(switch_)
        {
        }
        std::unique_ptr<osid::transaction::batch::CreateResponseList> createMessages(
            osid::messaging::batch::MessageBatchFormList &forms) override
        {
            if (failing)
                throw osid::OperationFailed("the provider is down");
            return ForwardingMessageBatchAdminSession::createMessages(forms);
        }
        std::atomic<bool> &failing;
    };

    struct BatchManager final : osid::adapter::ForwardingMessagingBatchManager {
        BatchManager(std::shared_ptr<osid::messaging::batch::MessagingBatchManager> inner, std::atomic<bool> &switch_)
            : ForwardingMessagingBatchManager(std::move(inner)), failing(switch_)
        {
        }
        std::unique_ptr<osid::messaging::batch::MessageBatchAdminSession> getMessageBatchAdminSession() override
        {
            return std::make_unique<Session>(inner().getMessageBatchAdminSession(), failing);
        }
        std::atomic<bool> &failing;
    };

    std::shared_ptr<BatchManager> batch_;
};

} // namespace batch_test
