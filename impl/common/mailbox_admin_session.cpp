#include "impl/common/mailbox_admin_session.h"

#include "impl/common/message_form.h"
#include "impl/common/session_support.h"

#include <fmt/format.h>

namespace osid::impl {

namespace {
void requireNoMailboxRecords(const std::vector<Type> &mailboxRecordTypes)
{
    requireNoNullTypes(mailboxRecordTypes, "mailboxRecordTypes");
    if (!mailboxRecordTypes.empty())
        throw Unsupported(fmt::format("no mailbox record of type {}; mailboxes have no records",
                                      mailboxRecordTypes.front().toString()));
}
} // namespace

MailboxAdminSessionImpl::MailboxAdminSessionImpl(SessionContext context) : StoreSession(std::move(context)) {}

bool MailboxAdminSessionImpl::canCreateMailboxes() const { return requireOpen(), true; }

bool MailboxAdminSessionImpl::canCreateMailboxWithRecordTypes(const std::vector<Type> &mailboxRecordTypes) const
{
    requireOpen();
    requireNoNullTypes(mailboxRecordTypes, "mailboxRecordTypes");
    // Mailboxes have no records.
    return mailboxRecordTypes.empty();
}

std::shared_ptr<messaging::MailboxForm> MailboxAdminSessionImpl::getMailboxFormForCreate(
    const std::vector<Type> &mailboxRecordTypes)
{
    requireOpen();
    requireNoMailboxRecords(mailboxRecordTypes);
    return std::make_shared<MailboxFormImpl>(context_.rules, serial(), std::vector<Type>{});
}

std::shared_ptr<messaging::Mailbox> MailboxAdminSessionImpl::createMailbox(messaging::MailboxForm &mailboxForm)
{
    requireOpen();
    auto *form = dynamic_cast<MailboxFormImpl *>(&mailboxForm);
    if (form == nullptr || form->origin().sessionSerial != serial())
        throw Unsupported("the form did not come from this session");
    if (form->isSpent())
        throw IllegalState("the form already created a mailbox; request a new form");
    if (auto problem = form->firstProblem())
        throw InvalidArgument(*problem);
    auto mailbox = context_.store->write([&](StoreWriter &s) {
        return s.mailbox(s.createMailbox(form->displayName(), form->description(), form->genusType()));
    });
    form->markSpent(openTransaction());
    return mailbox;
}

} // namespace osid::impl
