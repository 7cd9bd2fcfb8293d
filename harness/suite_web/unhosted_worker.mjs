// A Python worker whose page hosts no relay (it never calls hostRelays on it): the scenario
// sync_api.sync_relay_without_a_host_says_how_to_add_it starts it from the main thread,
// posts it a URL, and reads back what pyws.sync said (scenarios.sync_api.in_an_unhosted_worker).
import { loadPyodide } from "/pyodide/pyodide.mjs";

self.onmessage = async ({ data: url }) => {
  try {
    const pyodide = await loadPyodide({ indexURL: "/pyodide/" });
    await pyodide.loadPackage("pyws", { messageCallback: () => {} });
    const zip = await fetch("/scenarios.zip");
    if (!zip.ok) throw new Error(`fetching scenarios.zip: HTTP ${zip.status}`);
    pyodide.unpackArchive(await zip.arrayBuffer(), "zip", { extractDir: "/home/pyodide/suite" });
    pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide/suite')");
    self.postMessage(String(pyodide.pyimport("scenarios.sync_api").in_an_unhosted_worker(url)));
  } catch (error) {
    self.postMessage(`the worker failed: ${error?.stack ?? error}`);
  }
};
