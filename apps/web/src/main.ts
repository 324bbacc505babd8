import { mount } from "svelte";
import App from "./App.svelte";
import "./styles/base.css";
import "./styles/dashboard.css";
import "./styles/consoles.css";
import "./styles/dialogs.css";
import { createHypervisor } from "./hypervisor";
import { Dashboard } from "./dashboard.svelte";
import { DEFAULT_MODEL, FLAVORS, specFor } from "./launch/flavors";

const hv = createHypervisor();
/** The running Hypervisor, for scripts and devtools: the same API as @hyperlab/core. */
window.hyperlab = hv;
const dashboard = new Dashboard(hv);
const catalog = dashboard.loadCatalog();

mount(App, { target: document.getElementById("app")!, props: { dashboard } });

// Once the page is up, get the launch dialog's default guest ready (image, v86.wasm, ready
// snapshot, a worker), so that the first launch is as quick as the next ones.
void catalog.then(() => {
  const image = dashboard.images[0]?.id;
  if (!image) return;
  const spec = specFor({ name: "warm-up", image, flavor: FLAVORS[0], model: DEFAULT_MODEL });
  const warmUp = () => void hv.warmUp(spec);
  if ("requestIdleCallback" in window) window.requestIdleCallback(warmUp, { timeout: 2000 });
  else setTimeout(warmUp, 200);
});
