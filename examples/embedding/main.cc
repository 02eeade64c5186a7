// Embedding smdl in a C++ program: open an engine on a directory, deploy a
// process, create a record, fire events, read the outbox, verify the log.
// Build: link smdl_runtime (see CMakeLists.txt). Run: embedding DIR
#include <iostream>

#include "smdl/engine.h"

namespace {

const char* kOrders = R"(
module shop.orders;

record Order {
  item: string;
  quantity: int = 1;
  courier: string?;
}

process Fulfilment for Order {
  on create { emit "order.received" { item: item, quantity: quantity }; }
  initial state received {
    on ship(courier: string) when quantity > 0 -> shipped { this.courier = courier; }
    on cancel -> cancelled;
  }
  state shipped {
    on deliver -> delivered { emit "order.delivered"; }
  }
  final state delivered;
  final state cancelled;
}
)";

int Fail(const smdl::Status& status) {
  std::cerr << "error: " << status.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: embedding DIR\n";
    return 2;
  }
  smdl::ManualClock clock(smdl::Timestamp{1772442000, 0});  // 2026-03-02T09:00:00Z
  smdl::EngineOptions options;
  options.clock = &clock;
  auto engine = smdl::Engine::Open(argv[1], options);
  if (!engine.ok()) return Fail(engine.status());

  auto deployed = (*engine)->DeploySources({{"orders.smdl", kOrders}});
  if (!deployed.ok()) return Fail(deployed.status());
  std::cout << "definition version " << deployed->version << "\n";

  auto order = (*engine)->Create("Order", R"({"item": "keyboard", "quantity": 2})", {"order-7781", "web"});
  if (!order.ok()) return Fail(order.status());
  std::cout << "created " << *order << "\n";

  // A rejected event says why and changes nothing.
  auto early = (*engine)->Fire("Order-1", "deliver");
  std::cout << "rejected: " << early.status().message() << "\n";

  for (auto [event, params] : {std::pair{"ship", R"({"courier": "DHL"})"}, std::pair{"deliver", "{}"}}) {
    auto fired = (*engine)->Fire("Order-1", event, params, {"", "warehouse"});
    if (!fired.ok()) return Fail(fired.status());
  }
  std::cout << "now " << *(*engine)->Get("Order-1") << "\n";
  std::cout << "outbox " << *(*engine)->Outbox() << "\n";
  auto verified = (*engine)->Verify();
  if (!verified.ok()) return Fail(verified.status());
  std::cout << "verify " << *verified << "\n";
  return 0;
}
