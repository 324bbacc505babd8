/** One guest's worker: the core runs its v86 machine here, off the page's main thread. */
import { startBrowserGuestWorker } from "@hyperlab/core/worker";

startBrowserGuestWorker();
