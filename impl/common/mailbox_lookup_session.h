// MailboxLookupSession of the built-in providers: reads the store's
// mailboxes.

#pragma once

#include "impl/common/store_session.h"
#include "messaging/mailbox_lookup_session.h"

namespace osid::impl {

class MailboxLookupSessionImpl final : public StoreSession<messaging::MailboxLookupSession> {
public:
    explicit MailboxLookupSessionImpl(SessionContext context);

    bool canLookupMailboxes() const override;
    void useComparativeMailboxView() override;
    void usePlenaryMailboxView() override;
    std::shared_ptr<messaging::Mailbox> getMailbox(const Id &mailboxId) override;
    std::unique_ptr<messaging::MailboxList> getMailboxesByIds(IdList &mailboxIds) override;
    std::unique_ptr<messaging::MailboxList> getMailboxes() override;

private:
    bool plenary_ = false;
};

} // namespace osid::impl
