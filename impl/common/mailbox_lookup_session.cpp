#include "impl/common/mailbox_lookup_session.h"

#include "impl/common/session_support.h"
#include "osid/vector_list.h"

#include <fmt/format.h>

namespace osid::impl {

MailboxLookupSessionImpl::MailboxLookupSessionImpl(SessionContext context) : StoreSession(std::move(context)) {}

bool MailboxLookupSessionImpl::canLookupMailboxes() const { return requireOpen(), true; }
void MailboxLookupSessionImpl::useComparativeMailboxView() { requireOpen(), plenary_ = false; }
void MailboxLookupSessionImpl::usePlenaryMailboxView() { requireOpen(), plenary_ = true; }

std::shared_ptr<messaging::Mailbox> MailboxLookupSessionImpl::getMailbox(const Id &mailboxId)
{
    requireOpen();
    requireNotNull(mailboxId, "mailboxId");
    return context_.store->read([&](const StoreReader &s) {
        auto index = s.findMailbox(mailboxId);
        if (!index)
            throw NotFound(fmt::format("no mailbox {}", mailboxId.toString()));
        return s.mailbox(*index);
    });
}

std::unique_ptr<messaging::MailboxList> MailboxLookupSessionImpl::getMailboxesByIds(IdList &mailboxIds)
{
    requireOpen();
    const auto ids = drain(mailboxIds);
    for (const auto &id : ids)
        requireNotNull(id, "an Id in mailboxIds");
    auto mailboxes = context_.store->read([&](const StoreReader &s) {
        std::vector<std::shared_ptr<messaging::Mailbox>> out;
        for (const auto &id : ids) {
            if (auto index = s.findMailbox(id))
                out.push_back(s.mailbox(*index));
            else if (plenary_)
                throw NotFound(fmt::format("no mailbox {}", id.toString()));
        }
        return out;
    });
    return makeList<messaging::MailboxList>(std::move(mailboxes));
}

std::unique_ptr<messaging::MailboxList> MailboxLookupSessionImpl::getMailboxes()
{
    requireOpen();
    auto mailboxes = context_.store->read([&](const StoreReader &s) {
        std::vector<std::shared_ptr<messaging::Mailbox>> out;
        for (auto key : s.mailboxes())
            out.push_back(s.mailbox(key));
        return out;
    });
    return makeList<messaging::MailboxList>(std::move(mailboxes));
}

} // namespace osid::impl
