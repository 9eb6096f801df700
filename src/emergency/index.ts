/**
 * Emergency templates: statements prepared before the crisis, with the fields a press office fills
 * in when it comes (`release-hall new earthquake --set magnitude=5.2 …`).
 */
export { fillEmergencyTemplate } from './fill-template.js';
export type { FillEmergencyTemplateOptions, EmergencyTemplateValues } from './fill-template.js';
export {
  listEmergencyTemplates,
  loadEmergencyTemplate,
  readEmergencyTemplate,
} from './load-templates.js';
export type { EmergencyTemplateSearchOptions } from './load-templates.js';
export { parseEmergencyTemplate } from './parse-template.js';
export { EMERGENCY_FIELD_TYPES } from './template-schema.js';
export type {
  EmergencyTemplate,
  EmergencyFieldType,
  EmergencyTemplateField,
} from './template-schema.js';
