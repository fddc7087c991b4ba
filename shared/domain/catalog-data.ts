/** The 27 measures of 奉政办发〔2025〕2号, transcribed from the policy text (see catalog.ts). */
import type { Measure } from './catalog.ts';

export const MEASURES: readonly Measure[] = [
  // 一、打造新型产业体系
  { number: 1, section: '一', titleZh: '重点发展“一大一高两新”产业集群', titleEn: 'Prioritise the "One Big, One High, Two New" industrial clusters', units: ['EITB'] },
  { number: 2, section: '一', titleZh: '加快培育未来产业', titleEn: 'Accelerate the cultivation of future industries', units: ['EITB'] },
  { number: 3, section: '一', titleZh: '明确“2070”规划建设导向', titleEn: 'Set the "2070" planning and construction orientation', units: ['EITB', 'NRPB'] },
  { number: 4, section: '一', titleZh: '明确数字化、绿色化、研发投入和亩均论英雄导向', titleEn: 'Set the orientation on digitalisation, greening, R&D investment and per-mu performance', units: ['EITB', 'STB'] },
  { number: 5, section: '一', titleZh: '强化产业准入导向', titleEn: 'Strengthen industry-access guidance', units: ['DRB', 'EITB', 'EEB', 'EMB'] },
  { number: 6, section: '一', titleZh: '强化优质外资项目招引', titleEn: 'Step up attraction of high-quality foreign-investment projects', units: ['IPC'] },
  { number: 7, section: '一', titleZh: '支持产业有效投资和设备更新', titleEn: 'Support effective industrial investment and equipment renewal', units: ['EITB', 'IPC'] },
  // 二、推动数字经济创新发展
  { number: 8, section: '二', titleZh: '培育数字经济骨干企业', titleEn: 'Nurture leading digital-economy enterprises', units: ['EITB'] },
  { number: 9, section: '二', titleZh: '推进数字化改造项目建设', titleEn: 'Advance digital-transformation projects', units: ['EITB'] },
  { number: 10, section: '二', titleZh: '打造数实融合标杆项目', titleEn: 'Build benchmark projects integrating the digital and real economies', units: ['EITB'] },
  // 三、加速产业创新集聚突破
  // Measure 11 has no separate lead sentence; its title is the opening clause.
  { number: 11, section: '三', titleZh: '推进科创平台建设', titleEn: 'Advance the building of science and innovation platforms', units: ['STB'] },
  { number: 12, section: '三', titleZh: '支持企业自主创新', titleEn: 'Support independent innovation by enterprises', units: ['EITB', 'STB'] },
  // 四、实施企业梯度培育
  { number: 13, section: '四', titleZh: '鼓励企业上榜上台阶', titleEn: 'Encourage enterprises to make the rankings and move up in scale', units: ['EITB'] },
  { number: 14, section: '四', titleZh: '激励两业融合发展', titleEn: 'Encourage integration of manufacturing and services', units: ['EITB'] },
  { number: 15, section: '四', titleZh: '推进企业参与利用多层次资本市场', titleEn: 'Help enterprises use the multi-level capital market', units: ['FDSC'] },
  // 五、促进企业绿色集约发展
  { number: 16, section: '五', titleZh: '支持企业绿色制造体系建设', titleEn: 'Support enterprises in building green-manufacturing systems', units: ['EITB'] },
  { number: 17, section: '五', titleZh: '推进“腾笼换鸟”攻坚行动', titleEn: 'Push the "empty the cage, change the bird" upgrading campaign', units: ['EITB', 'NRPB'] },
  { number: 18, section: '五', titleZh: '支持提升小微企业园能级', titleEn: 'Support upgrading small and micro enterprise parks', units: ['EITB'] },
  // 六、深化知识产权品牌标准质量建设
  { number: 19, section: '六', titleZh: '推进知识产权全链条保护', titleEn: 'Advance whole-chain intellectual-property protection', units: ['AMR'] },
  { number: 20, section: '六', titleZh: '推进质量以及标准化工作开展', titleEn: 'Advance quality and standardisation work', units: ['AMR'] },
  // 七、强化资源要素配置
  { number: 21, section: '七', titleZh: '支持高层次人才引进', titleEn: 'Support recruitment of high-level talent', units: ['TALENT', 'HRSS', 'EITB', 'STB', 'IPC'] },
  { number: 22, section: '七', titleZh: '支持卓越工程师培养', titleEn: 'Support the training of outstanding engineers', units: ['EITB'] },
  { number: 23, section: '七', titleZh: '加大金融支持力度', titleEn: 'Increase financial support', units: ['STB', 'FDSC'] },
  { number: 24, section: '七', titleZh: '加大企业服务保障', titleEn: 'Strengthen services for enterprises', units: ['EITB'] },
  { number: 25, section: '七', titleZh: '强化工业用地保障', titleEn: 'Secure land for industry', units: ['NRPB'] },
  { number: 26, section: '七', titleZh: '加强智库合作', titleEn: 'Strengthen cooperation with think tanks', units: ['EITB'] },
  { number: 27, section: '七', titleZh: '推动保险全链条支持新型工业化', titleEn: 'Promote whole-chain insurance support for new industrialisation', units: ['FDSC', 'STB', 'AMR', 'EITB'] },
];
