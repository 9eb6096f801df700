/**
 * Emergency templates: statements prepared before the crisis, with the fields a press office fills
 * in when it comes (`release-hall new earthquake --set magnitude=5.2 …`).
 */
export { fillEmergencyTemplate } from './fill-template.js';
export type { FillOptions, TemplateValues } from './fill-template.js';
export {
  listEmergencyTemplates,
  loadEmergencyTemplate,
  readEmergencyTemplate,
} from './load-templates.js';
export type { TemplateSearchOptions } from './load-templates.js';
export { parseEmergencyTemplate } from './parse-template.js';
export { FIELD_TYPES } from './template-schema.js';
export type { EmergencyTemplate, FieldType, TemplateField } from './template-schema.js';
