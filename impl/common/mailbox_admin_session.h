// MailboxAdminSession of the built-in providers: creates mailboxes.

#pragma once

#include "impl/common/store_session.h"
#include "messaging/mailbox_admin_session.h"

namespace osid::impl {

class MailboxAdminSessionImpl final : public StoreSession<messaging::MailboxAdminSession> {
public:
    explicit MailboxAdminSessionImpl(SessionContext context);

    bool canCreateMailboxes() const override;
    bool canCreateMailboxWithRecordTypes(const std::vector<Type> &mailboxRecordTypes) const override;
    std::shared_ptr<messaging::MailboxForm> getMailboxFormForCreate(
        const std::vector<Type> &mailboxRecordTypes) override;
    std::shared_ptr<messaging::Mailbox> createMailbox(messaging::MailboxForm &mailboxForm) override;
};

} // namespace osid::impl
