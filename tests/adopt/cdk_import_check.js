// Runs the pinned CDK CLI's own ResourceImporter (node_modules/aws-cdk/lib/index.js, which
// exports only `cli`) offline against an assembly template and a resource mapping file:
// the deployed stack is empty (a new stack) and deployStack is captured, not called.
// Prints one line per mapping file: {"importResources", "resourceMap", "resourcesToImport",
// "template", "warnings"}.
// usage: node cdk_import_check.js <project-dir> <template.json> <mapping.json>...
const fs = require("fs");
const Module = require("module");
const path = require("path");

const [cdkDir, templateFile, ...mappingFiles] = process.argv.slice(2);
const bundle = path.join(cdkDir, "node_modules", "aws-cdk", "lib", "index.js");
const source = fs.readFileSync(bundle, "utf8") +
  "\nmodule.exports.__importer = function () { init_importer(); return ResourceImporter; };\n";
const mod = new Module(bundle, null);
mod.filename = bundle;
mod.paths = Module._nodeModulePaths(path.dirname(bundle));
mod._compile(source, bundle);
const ResourceImporter = mod.exports.__importer();

async function check(mappingFile) {
  const warnings = [];
  const log = { info: async () => {}, debug: async () => {}, warn: async (...a) => warnings.push(a.join(" ")), error: async () => {} };
  const ioHelper = { defaults: log, notify: async () => {}, requestResponse: async () => true };
  let captured = { resourcesToImport: [], overrideTemplate: null };
  const deployments = {
    readCurrentTemplate: async () => ({}),
    deployStack: async (options) => { captured = options; return { type: "did-deploy-stack", noOp: false, outputs: {}, stackArn: "arn:test" }; },
    resourceIdentifierSummaries: async () => [],
  };
  const stack = { template: JSON.parse(fs.readFileSync(templateFile, "utf8")), stackName: "test", displayName: "test" };
  const importer = new ResourceImporter(stack, { deployments, ioHelper });
  const { additions } = await importer.discoverImportableResources(false);
  const actual = await importer.loadResourceIdentifiersFromFile(additions, mappingFile);
  if (actual.importResources.length > 0) {
    await importer.importResourcesFromMap(actual, {});
  }
  return {
    importResources: actual.importResources.map((r) => r.logicalId),
    resourceMap: actual.resourceMap,
    resourcesToImport: captured.resourcesToImport,
    template: captured.overrideTemplate,
    warnings,
  };
}

(async () => {
  for (const file of mappingFiles) {
    console.log(JSON.stringify(await check(file)));
  }
})().catch((e) => { console.error(e); process.exit(1); });
