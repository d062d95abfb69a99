// The check groups, one function per file in this folder. Each adds its
// checks to the suite; conformanceSuite() calls them in this order.

#pragma once

#include "../suite.h"

namespace osid::conformance {

void addManagerChecks(Suite &suite);
void addSessionChecks(Suite &suite);
void addFormChecks(Suite &suite);
void addCreateChecks(Suite &suite);
void addUpdateChecks(Suite &suite);
void addAliasChecks(Suite &suite);
void addDeleteChecks(Suite &suite);
void addAdminChecks(Suite &suite);
void addMessagingChecks(Suite &suite);
void addLookupChecks(Suite &suite);
void addMailboxChecks(Suite &suite);
void addTransactionChecks(Suite &suite);

} // namespace osid::conformance
