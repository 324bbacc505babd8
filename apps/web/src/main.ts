import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { createHypervisor } from "./hypervisor";
import { Lab } from "./lab.svelte";

const hv = createHypervisor();
/** The running Hypervisor, for scripts and devtools: the same API as @hyperlab/core. */
window.hyperlab = hv;
const lab = new Lab(hv);
void lab.loadCatalog();

mount(App, { target: document.getElementById("app")!, props: { lab } });
